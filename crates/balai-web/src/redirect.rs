//! Where a browser may be sent after signing in: only a path on this site.
//!
//! Every page that takes a `next` parameter goes through [`local_path`], so there is one rule to
//! audit. The rule is checked on the text as given and again after percent-decoding, because a
//! browser decodes (and ignores tabs and newlines in) a `Location` before following it:
//! `/%09/evil.example` would become `//evil.example`, another site.

use percent_encoding::percent_decode_str;

/// Longer paths are not ones this site links to.
pub const MAX_NEXT_LEN: usize = 512;

/// Which part of the site a `next` may lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Citizen pages: anywhere on the site except the administration.
    Public,
    /// After an officer's sign-in: the administration only.
    Admin,
}

/// `next` when it is a path on this site in `area`, else `default`. The result is always a valid
/// `Location` header value (visible ASCII), so a redirect to it cannot fail.
pub fn local_path(next: Option<&str>, default: &str, area: Area) -> String {
    match next {
        Some(path) if is_local(path, area) => path.to_owned(),
        _ => default.to_owned(),
    }
}

fn is_local(raw: &str, area: Area) -> bool {
    if raw.is_empty() || raw.len() > MAX_NEXT_LEN || !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return false;
    }
    let Ok(decoded) = percent_decode_str(raw).decode_utf8() else { return false };
    // Twice-encoded text (`%2509`) is judged as a browser that decodes twice would see it.
    let Ok(twice) = percent_decode_str(&decoded).decode_utf8() else { return false };
    [raw, decoded.as_ref(), twice.as_ref()].into_iter().all(|text| safe_text(text) && in_area(text, area))
}

/// A single leading `/`, and nothing a browser would read as another host or rewrite.
fn safe_text(text: &str) -> bool {
    text.starts_with('/')
        && !text.contains("//")
        && !text.contains('\\')
        && !text.chars().any(|c| c.is_control() || c.is_whitespace())
        && !path_of(text).split('/').any(|segment| segment == "." || segment == "..")
}

fn path_of(text: &str) -> &str {
    text.split(['?', '#']).next().unwrap_or_default()
}

fn in_area(text: &str, area: Area) -> bool {
    let path = path_of(text);
    let admin = path == "/admin" || path.starts_with("/admin/");
    match area {
        Area::Admin => admin,
        // Case differences do not lead out of the area either.
        Area::Public => !admin && !path.to_ascii_lowercase().starts_with("/admin"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Area, local_path};

    fn public(next: &str) -> String {
        local_path(Some(next), "/akun", Area::Public)
    }

    fn admin(next: &str) -> String {
        local_path(Some(next), "/admin", Area::Admin)
    }

    #[test]
    fn paths_on_this_site_are_kept() {
        assert_eq!(public("/akun/akses"), "/akun/akses");
        assert_eq!(public("/layanan/53.71/AKTA-LAHIR?lang=en"), "/layanan/53.71/AKTA-LAHIR?lang=en");
        assert_eq!(public("/cari?q=akta+lahir"), "/cari?q=akta+lahir");
        assert_eq!(admin("/admin/petugas/53.71"), "/admin/petugas/53.71");
        assert_eq!(admin("/admin"), "/admin");
        assert_eq!(local_path(None, "/akun", Area::Public), "/akun");
    }

    #[test]
    fn anything_a_browser_could_read_as_another_site_falls_back_to_the_default() {
        for next in [
            "//evil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/%2509/evil.example",
            "/%0A/evil.example",
            "/\\evil.example",
            "/%5Cevil.example",
            "/%2F/evil.example",
            "https://evil.example/",
            "evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "/%C2%A0/evil.example",
            "/%E2%80%A8/evil.example",
            "/akun/../..//evil.example",
            "/%2e%2e/admin",
            "/%ff",
            "",
        ] {
            assert_eq!(public(next), "/akun", "{next:?}");
        }
        assert_eq!(public(&format!("/{}", "a".repeat(600))), "/akun", "too long");
    }

    #[test]
    fn each_area_keeps_to_itself() {
        assert_eq!(public("/admin"), "/akun");
        assert_eq!(public("/admin/petugas/53.71"), "/akun");
        assert_eq!(public("/%61dmin"), "/akun", "decoded, it is the administration");
        assert_eq!(public("/ADMIN"), "/akun");
        assert_eq!(admin("/akun"), "/admin");
        assert_eq!(admin("/administrasi"), "/admin", "only the administration itself");
        assert_eq!(admin("/admin\n"), "/admin", "a newline cannot reach the Location header");
        assert_eq!(admin("/admin%0A"), "/admin");
    }
}
