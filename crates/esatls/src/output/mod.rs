//! Writers for records and reports: tables, JSON, CSV and HTML.

pub mod csv;
pub mod html;
pub mod json;
pub mod sanitize;
pub mod table;
