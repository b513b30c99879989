//! Site settings (display currencies) and the cached table of conversion rates.

use super::{now_rfc3339, Store, StoreError};
use crate::rates::RatesTable;
use pay_types::Currency;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

impl Store {
    pub async fn site_currencies(&self) -> Result<Option<Vec<String>>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM site_settings WHERE key = 'currencies'")
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(|(v,)| serde_json::from_str(&v)).transpose()?)
    }

    pub async fn set_site_currencies(&self, codes: &[String]) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO site_settings (key, value, updated_at) VALUES ('currencies', $1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = $1, updated_at = $2",
        )
        .bind(serde_json::to_string(codes)?)
        .bind(now_rfc3339())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn cached_rates(&self, source: &str) -> Result<Option<RatesTable>, StoreError> {
        let row: Option<(String, String, String)> =
            sqlx::query_as("SELECT base, rates, published FROM rate_tables WHERE source = $1")
                .bind(source)
                .fetch_optional(&self.reader)
                .await?;
        let Some((base, rates, published)) = row else {
            return Ok(None);
        };
        let rates: BTreeMap<String, String> = serde_json::from_str(&rates)?;
        let rates = rates
            .into_iter()
            .map(|(c, r)| {
                r.parse::<Decimal>()
                    .map(|r| (c, r))
                    .map_err(|_| StoreError::corrupt("rate"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(RatesTable {
            base: Currency::parse(&base).map_err(|_| StoreError::corrupt("rates base"))?,
            rates,
            published,
        }))
    }

    pub async fn cache_rates(&self, source: &str, table: &RatesTable) -> Result<(), StoreError> {
        let rates: BTreeMap<&String, String> = table.rates.iter().map(|(c, r)| (c, r.to_string())).collect();
        sqlx::query(
            "INSERT INTO rate_tables (source, base, rates, published, fetched_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (source) DO UPDATE SET base = $2, rates = $3, published = $4, fetched_at = $5",
        )
        .bind(source)
        .bind(table.base.code())
        .bind(serde_json::to_string(&rates)?)
        .bind(&table.published)
        .bind(now_rfc3339())
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
