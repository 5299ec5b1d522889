//! Where a one-time code or a notification goes: an e-mail address, or an Indonesian mobile number for
//! SMS or WhatsApp. Contact details are personal data: errors name the rule, never the value, and
//! screens show them masked.

use crate::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Sms,
    Whatsapp,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::Whatsapp];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Channel::Email => lang.pick("Surel (e-mail)", "E-mail"),
            Channel::Sms => "SMS",
            Channel::Whatsapp => "WhatsApp",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("an e-mail address looks like nama@contoh.go.id")]
    Email,
    #[error("an Indonesian mobile number starts with 08 or +628 and has 10 to 13 digits")]
    Phone,
}

impl ContactError {
    pub fn code(self) -> &'static str {
        match self {
            ContactError::Email => "email_format",
            ContactError::Phone => "mobile_number_format",
        }
    }

    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            ContactError::Email => lang.pick(
                "Alamat surel tidak sah; contoh: nama@contoh.id.",
                "Not a valid e-mail address; for example: name@example.id.",
            ),
            ContactError::Phone => lang.pick(
                "Nomor ponsel tidak sah: mulai dengan 08 atau +628, 10 sampai 13 angka.",
                "Not a valid mobile number: it starts with 08 or +628 and has 10 to 13 digits.",
            ),
        }
    }
}

/// The canonical form of a recipient: a lower-cased e-mail address, or a mobile number as `+628…`.
pub fn normalize_recipient(channel: Channel, input: &str) -> Result<String, ContactError> {
    let input = input.trim();
    match channel {
        Channel::Email => {
            let (local, domain) = input.rsplit_once('@').ok_or(ContactError::Email)?;
            let ok = !local.is_empty()
                && local.len() <= 64
                && domain.len() <= 253
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !input.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
                && !local.contains('@');
            if ok { Ok(format!("{local}@{}", domain.to_ascii_lowercase())) } else { Err(ContactError::Email) }
        }
        Channel::Sms | Channel::Whatsapp => {
            let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
            let national = if let Some(rest) = digits.strip_prefix("+62") {
                rest.to_owned()
            } else if let Some(rest) = digits.strip_prefix("62") {
                rest.to_owned()
            } else if let Some(rest) = digits.strip_prefix('0') {
                rest.to_owned()
            } else {
                return Err(ContactError::Phone);
            };
            // Mobile numbers are 08xx-xxxx-xxx(x…): 10 to 13 digits with the leading 0.
            if national.starts_with('8')
                && national.chars().all(|c| c.is_ascii_digit())
                && (9..=12).contains(&national.len())
            {
                Ok(format!("+62{national}"))
            } else {
                Err(ContactError::Phone)
            }
        }
    }
}

/// For screens: `bu••@contoh.id`, `+62812••••890`.
pub fn mask_recipient(recipient: &str) -> String {
    if let Some((local, domain)) = recipient.split_once('@') {
        let shown: String = local.chars().take(2).collect();
        format!("{shown}••@{domain}")
    } else {
        let chars: Vec<char> = recipient.chars().collect();
        if chars.len() <= 7 {
            return "•".repeat(chars.len());
        }
        let head: String = chars[..6].iter().collect();
        let tail: String = chars[chars.len() - 3..].iter().collect();
        format!("{head}••••{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_are_normalised_to_plus_62() {
        for input in ["081234567890", "+6281234567890", "6281234567890", "0812-3456-7890", "0812 3456 7890"] {
            assert_eq!(normalize_recipient(Channel::Sms, input).unwrap(), "+6281234567890", "{input}");
        }
        assert_eq!(normalize_recipient(Channel::Whatsapp, "0812345678").unwrap(), "+62812345678");
    }

    #[test]
    fn landlines_short_numbers_and_foreign_numbers_are_refused() {
        for input in ["0380821234", "0812", "+6512345678", "08123456789012345", "08a234567890", ""] {
            assert_eq!(normalize_recipient(Channel::Sms, input), Err(ContactError::Phone), "{input}");
        }
    }

    #[test]
    fn email_addresses_are_checked_and_the_domain_lower_cased() {
        assert_eq!(normalize_recipient(Channel::Email, " Budi@Contoh.GO.ID ").unwrap(), "Budi@contoh.go.id");
        for input in ["budi", "budi@", "@contoh.id", "budi@contoh", "bu di@contoh.id", "a@b@c.id", "budi@.id"] {
            assert_eq!(normalize_recipient(Channel::Email, input), Err(ContactError::Email), "{input}");
        }
    }

    #[test]
    fn recipients_are_masked_for_screens() {
        assert_eq!(mask_recipient("budi@contoh.id"), "bu••@contoh.id");
        assert_eq!(mask_recipient("+6281234567890"), "+62812••••890");
        assert_eq!(mask_recipient("+62812"), "••••••");
    }

    #[test]
    fn channels_round_trip_their_codes() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(c));
        }
        assert_eq!(Channel::parse("fax"), None);
    }
}
