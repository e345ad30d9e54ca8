//! A program in a share link: the `code=` value of the fragment.
//!
//! The text is compressed with `lz-str` (the TypeScript playground's links use the same
//! format): `compressToEncodedURIComponent`, whose alphabet (`A-Z a-z 0-9 + - $`) needs no
//! escaping in a fragment, so a 40-line program fits in a few hundred characters. The router
//! ([`crate::model::router`]) carries the value as it is; this module is the only one that
//! reads it, so the page does not pay for the codec until a program is opened.
//!
//! The value's format is versioned by the link's own `v=`: a future format gets a new key.

use super::limits::MAX_PROGRAM_BYTES;

/// The `code=` value of `text`.
pub fn encode(text: &str) -> String {
    lz_str::compress_to_encoded_uri_component(text)
}

/// Whether `value` is written only in the codec's alphabet (a link's `code=` that may be one).
pub fn looks_encoded(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'$'))
}

/// The program text of a `code=` value, or a sentence saying why it cannot be read.
pub fn decode(value: &str) -> Result<String, String> {
    const UNREADABLE: &str =
        "The program in this link could not be read (the link may have been cut short)";
    if value.is_empty() {
        return Ok(String::new());
    }
    if !looks_encoded(value) {
        return Err(format!("{UNREADABLE}."));
    }
    let wide = lz_str::decompress_from_encoded_uri_component(value)
        .ok_or_else(|| format!("{UNREADABLE}."))?;
    let text = String::from_utf16(&wide).map_err(|_| format!("{UNREADABLE}."))?;
    if text.len() > MAX_PROGRAM_BYTES {
        return Err(format!(
            "The program in this link is longer than the {MAX_PROGRAM_BYTES} bytes a program \
             may have."
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::examples;

    #[test]
    fn every_example_survives_the_round_trip_through_a_link() {
        for (id, _, src) in examples::ALL {
            let value = encode(src);
            assert!(looks_encoded(&value), "{id}: {value}");
            assert_eq!(decode(&value).as_deref(), Ok(*src), "{id}");
        }
    }

    #[test]
    fn a_long_program_gets_shorter_in_a_link() {
        let src = examples::ALL.iter().map(|e| e.2).collect::<String>();
        let value = encode(&src);
        assert!(
            value.len() * 4 < src.len() * 3,
            "{} characters for {} bytes",
            value.len(),
            src.len()
        );
    }

    #[test]
    fn unicode_text_comes_back_as_written() {
        let src = "console.log(\"héllo → 世界 🎉\");";
        assert_eq!(decode(&encode(src)).as_deref(), Ok(src));
    }

    #[test]
    fn a_value_cut_short_or_tampered_with_says_so_and_never_panics() {
        let value = encode(examples::ALL[0].2);
        for bad in [
            &value[..value.len() / 2],
            "%%%",
            "not a program at all",
            "$$$$",
        ] {
            if let Ok(text) = decode(bad) {
                // lz-str cannot always tell: whatever it gives back is text, never a panic.
                assert!(text.len() <= MAX_PROGRAM_BYTES);
            }
        }
        assert!(decode("a b").is_err(), "a space is not in the alphabet");
    }

    #[test]
    fn an_empty_value_is_an_empty_program() {
        assert_eq!(decode(""), Ok(String::new()));
    }
}
