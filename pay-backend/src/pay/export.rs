//! The payments as CSV for an accountant (`GET /pay/v1/payments/export`): the list's filters,
//! every payment they keep, newest first, one row each (RFC 4180, with a header row), read
//! from the database a page at a time so that the memory it takes does not grow with the
//! shop's history.

use super::payments::{payment_filter, ListFilter};
use super::Pay;
use crate::error::PayError;
use crate::store::{rfc3339, Page, PaymentFilter, PaymentRow};
use actix_web::web::Bytes;
use futures_util::stream::{self, Stream, StreamExt};
use pay_types::PaymentId;

/// Rows read from the database at a time.
const PAGE: u32 = 500;

/// The columns, in order.
const HEADER: [&str; 13] = [
    "id",
    "created_at",
    "updated_at",
    "status",
    "amount",
    "currency",
    "refunded_amount",
    "transaction_id",
    "buyer_first_name",
    "buyer_last_name",
    "buyer_email",
    "buyer_country",
    "expires_at",
];

/// Where the export has got to: the last payment written (none yet), or done.
enum Cursor {
    Start,
    After(PaymentId),
    Done,
}

impl Pay {
    /// The payments `filter` keeps, as CSV chunks: the header, then a chunk per page of rows.
    /// A malformed filter is refused before anything is written.
    pub fn export_payments(
        &self,
        filter: &ListFilter<'_>,
    ) -> Result<impl Stream<Item = Result<Bytes, PayError>> + 'static, PayError> {
        let filter = payment_filter(filter)?;
        let pay = self.clone();
        let header = stream::once(async { Ok(csv_chunk(std::iter::once(HEADER.map(String::from)))) });
        let rows = stream::try_unfold(Cursor::Start, move |cursor| {
            let (pay, filter) = (pay.clone(), filter.clone());
            async move { pay.export_page(cursor, &filter).await }
        });
        Ok(header.chain(rows))
    }

    async fn export_page(&self, cursor: Cursor, filter: &PaymentFilter) -> Result<Option<(Bytes, Cursor)>, PayError> {
        let page = match &cursor {
            Cursor::Start => Page::Newest,
            Cursor::After(id) => Page::After(id),
            Cursor::Done => return Ok(None),
        };
        let rows = self.inner.store.list_payments(PAGE, page, filter).await?;
        let next = match rows.last() {
            Some(last) if rows.len() == PAGE as usize => Cursor::After(last.payment.id.clone()),
            _ => Cursor::Done,
        };
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some((csv_chunk(rows.into_iter().map(record)), next)))
    }
}

fn record(row: PaymentRow) -> [String; 13] {
    let buyer = row.buyer_info.or(row.payment.user_info).unwrap_or_default();
    let text = |v: Option<String>| v.unwrap_or_default();
    [
        row.payment.id.to_string(),
        rfc3339(row.created_at),
        rfc3339(row.updated_at),
        row.status.as_str().to_owned(),
        row.payment.amount.value().to_string(),
        row.payment.currency.to_string(),
        row.refunded_amount.value().to_string(),
        text(row.transaction_id),
        text(buyer.first_name),
        text(buyer.last_name),
        text(buyer.email),
        text(buyer.country_code),
        text(row.payment.expires_at),
    ]
}

/// Records as CSV (RFC 4180: CRLF line ends, quotes where a cell needs them), each cell made
/// safe for spreadsheets first.
fn csv_chunk(records: impl Iterator<Item = [String; 13]>) -> Bytes {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for record in records {
        // Writing to memory cannot fail.
        let _ = writer.write_record(record.iter().map(|cell| defused(cell).into_owned()));
    }
    Bytes::from(writer.into_inner().unwrap_or_default())
}

/// A cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return: OWASP's "CSV injection") gets a leading `'`, which spreadsheets show as
/// text. Pay's own values never start so; a buyer's name or a transaction id may.
fn defused(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused_and_others_kept() {
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+44 20 7946 0000", "'+44 20 7946 0000"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("Ada", "Ada"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(defused(cell), want);
        }
    }

    #[test]
    fn chunks_are_rfc_4180() {
        let mut cells = HEADER.map(|_| String::new());
        cells[0] = "a,b".into();
        cells[1] = "say \"hi\"".into();
        cells[2] = "two\nlines".into();
        let text = String::from_utf8(csv_chunk(std::iter::once(cells)).to_vec()).unwrap();
        assert_eq!(text, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,,,,,,,,,\r\n");
    }
}
