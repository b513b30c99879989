//! The daily reference-rates feed in the European Central Bank's XML format:
//! `<Cube time="2026-11-26"><Cube currency="USD" rate="1.0812"/>…</Cube>`, rates per 1 EUR.

use super::{RatesProvider, RatesTable};
use crate::error::PayError;
use crate::store::Store;
use pay_types::Currency;
use quick_xml::events::Event;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::RwLock;
use std::time::Duration;

/// Parses a feed: the `time` of the day's cube and every known currency's rate.
pub fn parse_ecb_xml(xml: &str) -> Result<RatesTable, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut rates = BTreeMap::new();
    let mut day = None;
    loop {
        match reader.read_event().map_err(|e| format!("not XML: {e}"))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Cube" => {
                let (mut currency, mut rate, mut time) = (None, None, None);
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| format!("bad attribute: {e}"))?;
                    let value = attr
                        .unescape_value()
                        .map_err(|e| format!("bad attribute: {e}"))?
                        .into_owned();
                    match attr.key.as_ref() {
                        b"currency" => currency = Some(value),
                        b"rate" => rate = Some(value),
                        b"time" => time = Some(value),
                        _ => {}
                    }
                }
                if let Some(t) = time {
                    day = Some(t);
                }
                if let (Some(c), Some(r)) = (currency, rate) {
                    let value: Decimal = r.trim().parse().map_err(|_| format!("rate of {c} is not a number"))?;
                    if Currency::parse(&c).is_ok() && value > Decimal::ZERO {
                        rates.insert(c, value);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let day = day.ok_or("no Cube time in the feed")?;
    if rates.is_empty() {
        return Err("no rates in the feed".into());
    }
    let date = time::Date::parse(&day, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("Cube time `{day}` is not a date"))?;
    Ok(RatesTable {
        base: Currency::parse("EUR").expect("known"),
        rates,
        published: format!("{date}T16:00:00Z"),
    })
}

/// Rates from a feed URL, refreshed on a schedule, the last good table cached in the database.
pub struct FeedRates {
    url: String,
    store: Store,
    client: reqwest::Client,
    last_good: RwLock<Option<RatesTable>>,
}

impl FeedRates {
    /// Loads the cached table (if any) and starts refreshing every `every`.
    pub async fn start(url: String, store: Store, every: Duration) -> Result<std::sync::Arc<Self>, PayError> {
        let cached = store.cached_rates(&url).await?;
        let feed = std::sync::Arc::new(Self {
            url,
            store,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .map_err(PayError::internal)?,
            last_good: RwLock::new(cached),
        });
        let refresher = feed.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(e) = refresher.refresh().await {
                    tracing::warn!(url = %refresher.url, error = %e, "rates download failed; keeping the last good table");
                }
            }
        });
        Ok(feed)
    }

    /// Downloads and parses the feed; on success stores it as the last good table.
    pub async fn refresh(&self) -> Result<(), String> {
        let response = self.client.get(&self.url).send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("feed answered {}", response.status()));
        }
        let text = response.text().await.map_err(|e| e.to_string())?;
        let table = parse_ecb_xml(&text)?;
        self.store
            .cache_rates(&self.url, &table)
            .await
            .map_err(|e| e.to_string())?;
        *self.last_good.write().expect("not poisoned") = Some(table);
        Ok(())
    }
}

#[async_trait::async_trait]
impl RatesProvider for FeedRates {
    async fn current(&self) -> Option<RatesTable> {
        self.last_good.read().expect("not poisoned").clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube>
    <Cube time="2026-11-26">
      <Cube currency="USD" rate="1.0812"/>
      <Cube currency="JPY" rate="162.37"/>
      <Cube currency="GBP" rate="0.84915"/>
      <Cube currency="XYZ" rate="3"/>
    </Cube>
  </Cube>
</gesmes:Envelope>"#;

    #[test]
    fn parses_the_feed() {
        let t = parse_ecb_xml(FEED).unwrap();
        assert_eq!(t.base.code(), "EUR");
        assert_eq!(t.rates["USD"].to_string(), "1.0812");
        assert_eq!(t.rates.len(), 3, "unknown codes are skipped");
        assert_eq!(t.published, "2026-11-26T16:00:00Z");
    }

    #[test]
    fn broken_feeds_are_errors() {
        for bad in [
            "",
            "<html>maintenance</html>",
            "<Cube><Cube currency=\"USD\" rate=\"x\"/></Cube>",
            "<Cube time=\"2026-11-26\"></Cube>",
        ] {
            assert!(parse_ecb_xml(bad).is_err(), "{bad}");
        }
    }
}
