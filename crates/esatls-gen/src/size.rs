//! Byte sizes on the command line: `500`, `64KB`, `100MB`, `1GiB`.
//!
//! As in GNU coreutils, `KB`, `MB` and `GB` are powers of 1000, and `K`,
//! `M`, `G`, `KiB`, `MiB` and `GiB` are powers of 1024. The suffix is not
//! case-sensitive and a bare number is bytes.

/// Parses a byte size with the suffixes listed in the module
/// documentation.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("invalid size {text:?}: expected a number such as 100MB"))?;
    let multiplier: u64 = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "invalid size suffix {other:?} in {text:?}: use B, KB, MB, GB, KiB, MiB or GiB"
            ))
        }
    };
    let bytes = number * multiplier as f64;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(format!("invalid size {text:?}: out of range"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_and_binary_suffixes() {
        assert_eq!(parse_size("500"), Ok(500));
        assert_eq!(parse_size("64KB"), Ok(64_000));
        assert_eq!(parse_size("100MB"), Ok(100_000_000));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("50m"), Ok(50 << 20));
        assert_eq!(parse_size("1.5 MiB"), Ok(3 << 19));
    }

    #[test]
    fn invalid_sizes() {
        assert!(parse_size("").is_err());
        assert!(parse_size("MB").is_err());
        assert!(parse_size("10TB").is_err());
        assert!(parse_size("1e3").is_err());
    }
}
