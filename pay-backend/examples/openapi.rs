//! Prints the OpenAPI document of every HTTP route (what `GET /pay/v1/openapi.json` serves),
//! for tools that read it from a file: `cargo run -p pay-backend --example openapi > openapi.json`.

fn main() {
    let doc = pay_backend::routes::openapi::document_json();
    println!(
        "{}",
        serde_json::to_string_pretty(&doc).expect("the document serializes")
    );
}
