//! The API integration tests: one binary, a fresh app on port 0 with a fresh database per test.

mod card_data;
mod checkout;
mod crash;
mod create;
mod currencies;
mod dashboard;
#[path = "../common/databases.rs"]
mod databases;
mod demo_shop;
mod double_charge;
mod errors;
mod events;
mod expiry;
mod export;
mod fault_proxy;
mod helpers;
mod hostile;
mod list;
mod mount;
mod operations;
mod processes;
mod provider_down;
mod providers;
mod receiver;
mod restart;
mod security;
mod server;
mod stripe;
