use aws_sdk_cognitoidentityprovider::types::CodeDeliveryDetailsType;

/// Where Cognito sent a code, as it reports it: "EMAIL to a***@e***" (the
/// medium, and the destination masked by Cognito itself).
pub fn code_delivery(details: &CodeDeliveryDetailsType) -> String {
    format!(
        "{} to {}",
        details
            .delivery_medium()
            .map_or("(unknown medium)", |medium| medium.as_str()),
        details.destination().unwrap_or("(undisclosed destination)")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::DeliveryMediumType;

    #[test]
    fn names_the_medium_and_the_masked_destination() {
        let email = CodeDeliveryDetailsType::builder()
            .delivery_medium(DeliveryMediumType::Email)
            .destination("a***@e***")
            .build();
        assert_eq!(code_delivery(&email), "EMAIL to a***@e***");
        let sms = CodeDeliveryDetailsType::builder()
            .delivery_medium(DeliveryMediumType::Sms)
            .destination("+*******0100")
            .build();
        assert_eq!(code_delivery(&sms), "SMS to +*******0100");
    }

    #[test]
    fn says_so_when_cognito_leaves_things_out() {
        let details = CodeDeliveryDetailsType::builder().build();
        assert_eq!(
            code_delivery(&details),
            "(unknown medium) to (undisclosed destination)"
        );
    }
}
