//! The demo shop's own merchant route, as the seed tutorial's backend writes it: the page
//! sends a product id and a quantity, the price comes from the server-side catalog.

use crate::error::PayError;
use crate::pay::Pay;
use crate::routes::resource;
use actix_web::{web, HttpResponse};
use pay_types::{Amount, ErrorCode, PaymentInfo, PaymentItem};
use rust_decimal::Decimal;
use serde::Deserialize;

/// The catalog: id, name, price in USD cents.
const CATALOG: &[(&str, &str, i64)] = &[("mug", "Pay mug", 1250), ("tee", "Pay T-shirt", 2400)];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Order {
    product_id: String,
    #[serde(default = "one")]
    quantity: u32,
}

fn one() -> u32 {
    1
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/create-my-payment").route(web::post().to(create_my_payment)));
}

async fn create_my_payment(
    pay: web::Data<Pay>,
    order: web::Json<Order>,
) -> Result<HttpResponse, PayError> {
    let Some((_, name, cents)) = CATALOG.iter().find(|(id, ..)| *id == order.product_id) else {
        return Err(PayError::rejected(ErrorCode::NotFound, "no such product"));
    };
    let price = Amount::new(Decimal::new(*cents, 2));
    let quantity = Decimal::from(order.quantity);
    let info = PaymentInfo {
        items: vec![PaymentItem {
            name: (*name).to_owned(),
            price,
            quantity: Some(Amount::new(quantity)),
        }],
        amount: Amount::new(price.value() * quantity),
        currency: Some("USD".into()),
        user_info: None,
    };
    let payment = pay.create_payment(info).await?;
    Ok(HttpResponse::Ok().json(payment))
}
