//! Prints the OpenAPI document of every HTTP route (what `GET /pay/v1/openapi.json` serves),
//! for tools that read it from a file: `cargo run -p pay-backend --example openapi > openapi.json`.

use pay_backend::routes::openapi::ApiDoc;
use utoipa::OpenApi;

fn main() {
    println!("{}", ApiDoc::openapi().to_pretty_json().expect("the document serializes"));
}
