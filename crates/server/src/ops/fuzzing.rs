//! Entry points for the fuzz targets (`crates/fuzz`): the parsers behind an operation,
//! reached without the request around them, so a fuzzer spends its time on them.

use super::import_csv::Rows;
use super::import_run::{row, MAX_LINE_BYTES};
use ironpool_api::types::UserPoolType;
use ironpool_api::ApiError;
use ironpool_core::{user_import, Rng};
use ironpool_store::User;

/// ListUsers' `Filter`, parsed as the operation parses it.
pub fn list_users_filter(text: &str) -> Result<(), ApiError> {
    super::users::parse_filter(text).map(drop)
}

/// A user import file read as a job reads it, against `pool`: why its header fails, or what
/// each of its rows makes.
pub fn import_csv(
    pool: UserPoolType,
    csv: &[u8],
    rng: &dyn Rng,
    now: f64,
) -> Result<Vec<Result<User, String>>, String> {
    let rows = Rows::new(pool);
    let mut lines = csv.split(|b| *b == b'\n').map(|line| {
        let line = &line[..line.len().min(MAX_LINE_BYTES)];
        line.strip_suffix(b"\r").unwrap_or(line).to_vec()
    });
    let first = lines.next().unwrap_or_default();
    let header = user_import::split_row(&String::from_utf8_lossy(&first));
    rows.check_header(&header)?;
    Ok(lines
        .filter_map(|line| row(&rows, &header, line, rng, now))
        .collect())
}

/// The header row a user import file for `pool` must have (GetCSVHeader's).
pub fn csv_header(pool: &UserPoolType) -> Vec<String> {
    super::import_csv::csv_header(pool)
}
