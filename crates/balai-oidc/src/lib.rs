//! Sign-in through an OpenID Connect provider (a government's single sign-on for officers, the
//! national digital identity or a provincial SSO for citizens): discovery, the authorization code
//! flow with PKCE (S256), and the ID token checks (signature, issuer, audience, expiry, nonce), with
//! `openidconnect` doing the protocol.
//!
//! This crate knows nothing of Balai's roles, citizens or storage: it turns a callback into the
//! verified claims of one person. Mapping claims to a role, a place or a citizen is the caller's job. It is a crate of
//! its own because `openidconnect` (JOSE, RSA) is heavy to compile and changes rarely.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse, SyncHttpClient, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a deployment talks to its provider.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Where the provider sends the browser back: `<public URL>/admin/masuk/oidc/callback` for
    /// officers, `<public URL>/masuk/idp/callback` for citizens.
    pub redirect_url: String,
    /// Scopes beyond `openid`.
    pub scopes: Vec<String>,
}

/// Everything else the ID token carries, by claim name (role, place, NIK live here).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type TokenFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<TokenFields, CoreTokenType>;
type Client = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in through the provider did not happen. The texts name no person.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the OIDC settings are invalid: {0}")]
    Settings(String),
    #[error("the identity provider could not be reached or described itself wrongly: {0}")]
    Discovery(String),
    #[error("the identity provider refused the authorization code: {0}")]
    Exchange(String),
    #[error("the identity provider sent no ID token")]
    NoIdToken,
    #[error("the ID token is not valid: {0}")]
    InvalidIdToken(String),
}

/// What the browser is sent to, and what must be kept (bound to that browser) until it returns.
#[derive(Debug, Clone)]
pub struct Started {
    pub authorize_url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The verified identity from one ID token.
#[derive(Debug, Clone)]
pub struct VerifiedIdentity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// A phone number in the provider's notation, and whether the provider verified it.
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
    /// Authentication methods (RFC 8176), e.g. `pwd`, `otp`, `mfa`.
    pub amr: Vec<String>,
    /// The authentication context class the sign-in satisfied (`acr`): the provider's level of assurance.
    pub acr: Option<String>,
    pub other: HashMap<String, serde_json::Value>,
}

impl VerifiedIdentity {
    /// A claim that is a string, by name.
    pub fn text_claim(&self, name: &str) -> Option<&str> {
        self.other.get(name).and_then(|v| v.as_str()).filter(|s| !s.is_empty())
    }

    /// Whether the provider says more than a password was used.
    pub fn used_second_factor(&self) -> bool {
        self.amr.iter().any(|m| matches!(m.as_str(), "mfa" | "otp" | "hwk" | "swk" | "sms" | "sc" | "fpt" | "face"))
    }
}

/// Provider metadata (endpoints and keys) is fetched once and kept this long.
const METADATA_TTL: Duration = Duration::from_secs(10 * 60);

/// One configured provider. Cheap to clone; the discovered metadata is shared.
#[derive(Clone)]
pub struct Provider {
    settings: Arc<OidcSettings>,
    http: Http,
    metadata: Arc<Mutex<Option<(Instant, CoreProviderMetadata)>>>,
}

impl Provider {
    pub fn new(settings: OidcSettings) -> Result<Provider, OidcError> {
        IssuerUrl::new(settings.issuer.clone()).map_err(|e| OidcError::Settings(format!("issuer: {e}")))?;
        RedirectUrl::new(settings.redirect_url.clone())
            .map_err(|e| OidcError::Settings(format!("redirect_url: {e}")))?;
        Ok(Provider { settings: Arc::new(settings), http: Http::new(), metadata: Arc::new(Mutex::new(None)) })
    }

    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// Builds the authorization request (fresh state, nonce and PKCE verifier).
    pub async fn start(&self) -> Result<Started, OidcError> {
        let this = self.clone();
        blocking(move || {
            let client = this.client(false)?;
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let mut request = client
                .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
                .set_pkce_challenge(challenge);
            for scope in &this.settings.scopes {
                request = request.add_scope(Scope::new(scope.clone()));
            }
            let (url, state, nonce) = request.url();
            Ok(Started {
                authorize_url: url.to_string(),
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
            })
        })
        .await
    }

    /// Redeems the code (with the PKCE verifier) and checks the ID token against the nonce.
    /// A token signed with a key the cached metadata does not know triggers one fresh discovery:
    /// providers rotate their keys.
    pub async fn finish(
        &self,
        code: String,
        nonce: String,
        pkce_verifier: String,
    ) -> Result<VerifiedIdentity, OidcError> {
        let this = self.clone();
        blocking(move || {
            let client = this.client(false)?;
            let tokens = client
                .exchange_code(AuthorizationCode::new(code))
                .map_err(|e| OidcError::Discovery(e.to_string()))?
                .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
                .request(&this.http)
                .map_err(|e| OidcError::Exchange(describe_token_error(&e)))?;
            let id_token = tokens.id_token().ok_or(OidcError::NoIdToken)?;
            let nonce = Nonce::new(nonce);
            let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
                Ok(claims) => claims.clone(),
                Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
                    let fresh = this.client(true)?;
                    id_token
                        .claims(&fresh.id_token_verifier(), &nonce)
                        .map_err(|e| OidcError::InvalidIdToken(e.to_string()))?
                        .clone()
                }
                Err(e) => return Err(OidcError::InvalidIdToken(e.to_string())),
            };
            Ok(VerifiedIdentity {
                issuer: claims.issuer().to_string(),
                subject: claims.subject().to_string(),
                email: claims.email().map(|e| e.to_string()),
                email_verified: claims.email_verified().unwrap_or(false),
                name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
                phone_number: claims.phone_number().map(|p| p.to_string()),
                phone_number_verified: claims.phone_number_verified().unwrap_or(false),
                amr: claims
                    .auth_method_refs()
                    .map(|refs| refs.iter().map(|r| r.to_string()).collect())
                    .unwrap_or_default(),
                acr: claims.auth_context_ref().map(|a| a.to_string()),
                other: claims.additional_claims().claims.clone(),
            })
        })
        .await
    }

    /// The client from cached metadata, discovering again when it is stale or `refresh` is set.
    fn client(&self, refresh: bool) -> Result<Client, OidcError> {
        let metadata = {
            let cached = self.metadata.lock().expect("metadata lock").clone();
            match cached {
                Some((at, metadata)) if !refresh && at.elapsed() < METADATA_TTL => metadata,
                _ => {
                    let issuer = IssuerUrl::new(self.settings.issuer.clone())
                        .map_err(|e| OidcError::Settings(format!("issuer: {e}")))?;
                    let metadata = CoreProviderMetadata::discover(&issuer, &self.http)
                        .map_err(|e| OidcError::Discovery(e.to_string()))?;
                    *self.metadata.lock().expect("metadata lock") = Some((Instant::now(), metadata.clone()));
                    metadata
                }
            }
        };
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| OidcError::Settings(format!("redirect_url: {e}")))?;
        Ok(Client::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }
}

fn describe_token_error<E: std::error::Error>(error: &E) -> String {
    // The error chain names the provider's error code; it never carries the code or a token.
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, OidcError> + Send + 'static,
) -> Result<T, OidcError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| Err(OidcError::Discovery(format!("worker: {e}"))))
}

/// The HTTP client for discovery, keys and the token endpoint: no redirects followed (SSRF), short
/// timeouts, error statuses handed back to `openidconnect` to read the provider's error body.
#[derive(Clone)]
struct Http {
    agent: ureq::Agent,
}

impl Http {
    fn new() -> Http {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        Http { agent }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

impl SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, Self::Error> {
        let response = self.agent.run(request).map_err(|e| HttpError(e.to_string()))?;
        let (parts, mut body) = response.into_parts();
        let bytes = body.with_config().limit(1024 * 1024).read_to_vec().map_err(|e| HttpError(e.to_string()))?;
        Ok(HttpResponse::from_parts(parts, bytes))
    }
}
