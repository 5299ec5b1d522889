//! Argon2id password hashes in PHC string form (`$argon2id$…`), salt included.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let hash = hash_password("rahasia-sekali");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "rahasia-sekali"));
        assert!(!verify_password(&hash, "rahasia-sekalI"));
        assert!(!verify_password("not a hash", "x"));
    }
}
