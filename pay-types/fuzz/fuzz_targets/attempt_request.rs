//! Any bytes as a checkout attempt: parsing and every card rule never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pay_types::{AttemptId, AttemptRequest, CardNumber, Cvc, Expiry, UserInfo};

fuzz_target!(|data: &[u8]| {
    let Ok(req) = serde_json::from_slice::<AttemptRequest>(data) else { return };
    let _ = AttemptId::parse(&req.attempt_id);
    if let Some(user) = req.user_info {
        let _ = UserInfo::from(user).validate();
    }
    if let Some(card) = req.card {
        if let Ok(number) = CardNumber::parse(&card.number) {
            assert_eq!(number.last4().len(), 4);
            let _ = Cvc::parse(&card.cvc, number.brand());
        }
        let _ = Expiry::parse(card.exp_month, card.exp_year, (2026, 11));
    }
});
