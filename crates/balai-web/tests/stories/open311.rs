//! Open311 GeoReport v2: a client application with its key files a request and reads it back, in
//! JSON and in XML (parsed back here, not searched as text); every refusal is the specification's
//! error list with 400, 403 or 404; a rahasia report never appears.

use crate::support::{TestApp, TestResponse};
use axum::http::StatusCode;
use balai_domain::complaints::{Channel, ReportKind};
use balai_store::audit::Actor;
use balai_store::complaints::{self, NewReport, Reporter};
use quick_xml::events::Event;

const FORMATS: [&str; 2] = ["json", "xml"];

/// An XML element, read back with its children and its text.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> &Node {
        self.children.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }

    fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    fn text_of(&self, name: &str) -> &str {
        &self.child(name).text
    }
}

/// Parses a whole document; panics on anything that is not well-formed XML.
fn parse_xml(body: &str) -> Node {
    let mut reader = quick_xml::Reader::from_str(body);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not XML ({e}): {body}")) {
            Event::Start(e) => {
                stack.push(Node { name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(), ..Node::default() })
            }
            Event::Empty(e) => {
                let node = Node { name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(), ..Node::default() };
                stack.last_mut().unwrap().children.push(node);
            }
            Event::Text(t) => {
                let text = t.decode().unwrap();
                let text = quick_xml::escape::unescape(&text).unwrap().into_owned();
                stack.last_mut().unwrap().text.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap();
                let text = quick_xml::escape::unescape(&format!("&{name};")).unwrap().into_owned();
                stack.last_mut().unwrap().text.push_str(&text);
            }
            Event::End(_) => {
                let node = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(node);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements: {body}");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element: {body}");
    document.children.pop().unwrap()
}

/// A client key of Kota Kupang, made as the admin page makes it.
async fn client_key(app: &TestApp) -> (i64, String) {
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let made = complaints::open311::create_client_in(
        &mut tx,
        &Actor::system("test"),
        Some(government.id),
        "Aplikasi Warga",
        None,
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    made
}

/// The fields of a good request (Kupang, a pothole).
fn good_request(key: &str) -> Vec<(&str, &str)> {
    vec![
        ("api_key", key),
        ("service_code", "JALAN-RUSAK"),
        ("lat", "-10.1772"),
        ("long", "123.6070"),
        ("description", "Lubang besar di Jl. Frans Seda\nSudah dua minggu, hubungi 081234567890."),
        ("attribute[lebar_lubang]", "1.5"),
        ("email", "warga@contoh.id"),
    ]
}

async fn post(app: &TestApp, format: &str, fields: &[(&str, &str)]) -> TestResponse {
    app.post_form(&format!("/open311/v2/requests.{format}"), "", fields).await
}

/// The single error of a refusal, as (code, description), read from either format.
fn error_of(format: &str, response: &TestResponse) -> (u16, String) {
    if format == "json" {
        assert!(response.header("content-type").starts_with("application/json"), "{}", response.body);
        let errors = response.json();
        let errors = errors.as_array().expect("a list of errors");
        assert_eq!(errors.len(), 1, "{}", response.body);
        (errors[0]["code"].as_u64().unwrap() as u16, errors[0]["description"].as_str().unwrap().to_owned())
    } else {
        assert!(response.header("content-type").starts_with("text/xml"), "{}", response.body);
        let root = parse_xml(&response.body);
        assert_eq!(root.name, "errors");
        let errors = root.all("error");
        assert_eq!(errors.len(), 1, "{}", response.body);
        (errors[0].text_of("code").parse().unwrap(), errors[0].text_of("description").to_owned())
    }
}

fn refused(format: &str, response: &TestResponse, status: StatusCode, field: &str) {
    assert_eq!(response.status, status, "{format}: {}", response.body);
    let (code, description) = error_of(format, response);
    assert_eq!(code, status.as_u16(), "the error's code is the status");
    assert!(description.contains(field), "{format}: the description names {field}: {description}");
}

/// The requests of a list answer, as (id, field → text) maps, from either format.
fn requests_of(format: &str, response: &TestResponse) -> Vec<std::collections::BTreeMap<String, String>> {
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    if format == "json" {
        let list = response.json();
        list.as_array()
            .expect("a list")
            .iter()
            .map(|r| {
                r.as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
                    .collect()
            })
            .collect()
    } else {
        let root = parse_xml(&response.body);
        assert_eq!(root.name, "service_requests", "{}", response.body);
        root.all("request")
            .iter()
            .map(|r| r.children.iter().map(|c| (c.name.clone(), c.text.clone())).collect())
            .collect()
    }
}

#[tokio::test]
async fn discovery_and_services_describe_the_government_in_both_formats() {
    let app = TestApp::demo().await;
    let json = app.get("/open311/v2/discovery.json").await;
    assert_eq!(json.status, StatusCode::OK);
    let endpoint = &json.json()["endpoints"][0];
    assert_eq!(endpoint["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert!(endpoint["url"].as_str().unwrap().ends_with("/open311/v2"));
    assert_eq!(endpoint["formats"], serde_json::json!(["text/xml", "application/json"]));
    let xml = parse_xml(&app.get("/open311/v2/discovery.xml").await.body);
    assert_eq!(xml.name, "discovery");
    let endpoint = xml.child("endpoints").child("endpoint");
    assert_eq!(endpoint.text_of("specification"), "http://wiki.open311.org/GeoReport_v2");
    let formats: Vec<&str> = endpoint.child("formats").all("format").iter().map(|f| f.text.as_str()).collect();
    assert_eq!(formats, ["text/xml", "application/json"]);

    let services = app.get("/open311/v2/services.json").await.json();
    let services = services.as_array().unwrap();
    let road = services.iter().find(|s| s["service_code"] == "JALAN-RUSAK").expect("the road category");
    assert_eq!(road["service_name"], "Jalan rusak atau berlubang");
    assert_eq!(road["metadata"], true, "it has a question");
    assert_eq!(road["type"], "realtime");
    let xml = parse_xml(&app.get("/open311/v2/services.xml?jurisdiction_id=53.71").await.body);
    assert_eq!(xml.name, "services");
    let codes: Vec<&str> = xml.all("service").iter().map(|s| s.text_of("service_code")).collect();
    let json_codes: Vec<&str> = services.iter().map(|s| s["service_code"].as_str().unwrap()).collect();
    assert_eq!(codes, json_codes, "both formats list the same services");
    let province = app.get("/open311/v2/services.json?jurisdiction_id=53").await.json();
    assert!(province.as_array().unwrap().iter().any(|s| s["service_code"] == "SAMSAT"), "another jurisdiction");

    let definition = app.get("/open311/v2/services/JALAN-RUSAK.json").await.json();
    assert_eq!(definition["service_code"], "JALAN-RUSAK");
    let attribute = &definition["attributes"][0];
    assert_eq!(attribute["code"], "lebar_lubang");
    assert_eq!(attribute["datatype"], "number");
    assert_eq!(attribute["order"], 1);
    assert_eq!(attribute["variable"], true);
    let xml = parse_xml(&app.get("/open311/v2/services/JALAN-RUSAK.xml").await.body);
    assert_eq!(xml.name, "service_definition");
    let attribute = xml.child("attributes").child("attribute");
    assert_eq!(attribute.text_of("code"), "lebar_lubang");
    assert_eq!(attribute.text_of("required"), "false");

    for format in FORMATS {
        let r = app.get(&format!("/open311/v2/services/TIDAK-ADA.{format}")).await;
        refused(format, &r, StatusCode::NOT_FOUND, "service_code");
        let r = app.get(&format!("/open311/v2/services.{format}?jurisdiction_id=99.99")).await;
        refused(format, &r, StatusCode::NOT_FOUND, "jurisdiction_id");
    }
    assert_eq!(app.get("/open311/v2/services.csv").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_client_files_a_request_and_reads_it_back_with_its_deadline_in_both_formats() {
    let app = TestApp::demo().await;
    let (_, key) = client_key(&app).await;
    for format in FORMATS {
        let filed = post(&app, format, &good_request(&key)).await;
        let filed = requests_of(format, &filed);
        assert_eq!(filed.len(), 1);
        let id = filed[0]["service_request_id"].clone();
        assert_eq!(filed[0]["token"], id);
        assert!(!id.is_empty());

        let read = app.get(&format!("/open311/v2/requests/{id}.{format}")).await;
        let read = requests_of(format, &read);
        assert_eq!(read.len(), 1);
        let r = &read[0];
        assert_eq!(r["service_request_id"], id);
        assert_eq!(r["status"], "open");
        assert_eq!(r["service_code"], "JALAN-RUSAK");
        assert!(r["description"].starts_with("Lubang besar di Jl. Frans Seda"), "{r:?}");
        assert!(r["description"].contains("Perkiraan lebar lubang (meter): 1.5"), "the attribute is kept: {r:?}");
        assert!(!r["description"].contains("081234567890"), "the phone number is redacted: {r:?}");
        assert_eq!(r["lat"].parse::<f64>().unwrap(), -10.1772);
        assert_eq!(r["long"].parse::<f64>().unwrap(), 123.607);
        // Kupang is on WITA: dates carry +08:00, and the deadline is the desk's verification one.
        assert!(r["requested_datetime"].ends_with("+08:00"), "{r:?}");
        let requested = chrono::DateTime::parse_from_rfc3339(&r["requested_datetime"]).unwrap();
        let expected = chrono::DateTime::parse_from_rfc3339(&r["expected_datetime"]).unwrap();
        assert!(r["expected_datetime"].ends_with("+08:00"));
        assert!(expected > requested + chrono::Duration::days(2), "three working days later: {r:?}");
        let (due_at,): (chrono::DateTime<chrono::Utc>,) = app
            .db
            .fetch_one(balai_store::query("SELECT due_at FROM cases WHERE tracking_number = $1").bind(id.as_str()))
            .await
            .unwrap();
        assert_eq!(expected.with_timezone(&chrono::Utc), due_at, "expected_datetime is the case's due_at");

        let token = requests_of(format, &app.get(&format!("/open311/v2/tokens/{id}.{format}")).await);
        assert_eq!(token[0]["service_request_id"], id);
        let listed = app.get(&format!("/open311/v2/requests.{format}?service_request_id={id},BUKAN-NOMOR")).await;
        let listed = requests_of(format, &listed);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["service_request_id"], id);
    }
    let (channel,): (String,) = app
        .db
        .fetch_one(balai_store::query("SELECT channel FROM complaints WHERE open311_client_id IS NOT NULL LIMIT 1"))
        .await
        .unwrap();
    assert_eq!(channel, "open311");
}

#[tokio::test]
async fn every_refusal_is_the_specifications_error_list_and_stores_nothing() {
    let app = TestApp::demo().await;
    let (client, key) = client_key(&app).await;
    let count = || async {
        let (n,): (i64,) = app.db.fetch_one(balai_store::query("SELECT COUNT(*) FROM complaints")).await.unwrap();
        n
    };
    let before = count().await;
    let without = |name: &str| good_request(&key).into_iter().filter(|(k, _)| *k != name).collect::<Vec<_>>();
    let with = |name: &'static str, value: &'static str| {
        let mut fields = without(name);
        fields.push((name, value));
        fields
    };
    for format in FORMATS {
        refused(format, &post(&app, format, &without("api_key")).await, StatusCode::FORBIDDEN, "api_key");
        refused(format, &post(&app, format, &with("api_key", "kunci-tebakan")).await, StatusCode::FORBIDDEN, "api_key");
        let r = post(&app, format, &with("service_code", "TIDAK-ADA")).await;
        refused(format, &r, StatusCode::NOT_FOUND, "service_code");
        let nowhere: Vec<_> = good_request(&key).into_iter().filter(|(k, _)| !matches!(*k, "lat" | "long")).collect();
        refused(format, &post(&app, format, &nowhere).await, StatusCode::BAD_REQUEST, "address_string");
        refused(format, &post(&app, format, &with("lat", "95")).await, StatusCode::BAD_REQUEST, "lat");
        // Jakarta lies in Indonesia but outside Kota Kupang's area.
        let jakarta = [("lat", "-6.2"), ("long", "106.8")];
        let mut far = without("lat").into_iter().filter(|(k, _)| *k != "long").collect::<Vec<_>>();
        far.extend(jakarta);
        assert_eq!(post(&app, format, &far).await.status, StatusCode::BAD_REQUEST);
        refused(format, &post(&app, format, &with("description", " ")).await, StatusCode::BAD_REQUEST, "description");
        let r = post(&app, format, &with("attribute[lebar_lubang]", "lebar")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "attribute[lebar_lubang]");
        let r = post(&app, format, &with("attribute[warna]", "merah")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "attribute[warna]");
        let r = post(&app, format, &with("media_url", "http://127.0.0.1/foto.jpg")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "media_url");
        let r = post(&app, format, &with("email", "bukan-surel")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "email");
        let r = post(&app, format, &with("jurisdiction_id", "99.99")).await;
        refused(format, &r, StatusCode::NOT_FOUND, "jurisdiction_id");
        // A key of Kota Kupang files nothing with the province.
        let r = post(&app, format, &with("jurisdiction_id", "53")).await;
        refused(format, &r, StatusCode::FORBIDDEN, "api_key");

        let r = app.get(&format!("/open311/v2/requests/BUKAN-NOMOR.{format}")).await;
        refused(format, &r, StatusCode::NOT_FOUND, "service request");
        let r = app.get(&format!("/open311/v2/tokens/BUKAN-NOMOR.{format}")).await;
        refused(format, &r, StatusCode::NOT_FOUND, "token");
        let r = app.get(&format!("/open311/v2/requests.{format}?start_date=kemarin")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "start_date");
        let r = app.get(&format!("/open311/v2/requests.{format}?end_date=2026-12-01")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "end_date");
        let r = app.get(&format!("/open311/v2/servicerequestupdates.{format}?start_date=2026-13-01T00:00:00Z")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "start_date");
        let r = app.get(&format!("/open311/v2/requests.{format}?status=pending")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "status");
        let r = app.get(&format!("/open311/v2/requests.{format}?service_code=TIDAK-ADA")).await;
        refused(format, &r, StatusCode::NOT_FOUND, "service_code");
        let r = app.get(&format!("/open311/v2/requests.{format}?page_size=100000")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "page_size");
        let many = vec!["A"; 51].join(",");
        let r = app.get(&format!("/open311/v2/requests.{format}?service_request_id={many}")).await;
        refused(format, &r, StatusCode::BAD_REQUEST, "service_request_id");
    }
    // A body over the bound is refused before it is read.
    let big = "x".repeat(balai_web::open311::MAX_BODY_BYTES + 1);
    let r = post(&app, "json", &with("description", Box::leak(big.into_boxed_str()))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(count().await, before, "no refused request was stored");

    // A revoked key is refused like a wrong one.
    complaints::open311::revoke_as_officer(&app.db, admin_id(&app).await, client, app.clock.now()).await.unwrap();
    for format in FORMATS {
        refused(format, &post(&app, format, &good_request(&key)).await, StatusCode::FORBIDDEN, "api_key");
    }
    assert_eq!(count().await, before);
}

async fn admin_id(app: &TestApp) -> i64 {
    let (id,): (i64,) = app
        .db
        .fetch_one(balai_store::query("SELECT id FROM officers WHERE username = $1").bind(crate::support::ADMIN))
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn lists_filter_by_code_status_and_date_and_never_show_a_rahasia_report() {
    let app = TestApp::demo().await;
    let (_, key) = client_key(&app).await;
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let filed = requests_of("json", &post(&app, "json", &good_request(&key)).await);
    let public_id = filed[0]["service_request_id"].clone();
    let secret = NewReport {
        government_id: government.id,
        kind: ReportKind::Complaint,
        channel: Channel::Web,
        category_code: "JALAN-RUSAK",
        title: "Pungutan liar di proyek jalan",
        text: "Rahasia: pungutan liar di proyek jalan.",
        lat: "-10.1772",
        lon: "123.6070",
        address: "",
        region_code: "",
        anonymous: false,
        confidential: true,
        reporter: Reporter::Guest { name: "", email: "", phone: "" },
        photos: &[],
        open311_client_id: None,
        idempotency_key: "",
    };
    let secret = complaints::file_report(&app.db, &app.vault, &secret, app.clock.now()).await.unwrap();
    let secret_id = secret.tracking_number.as_str().to_owned();

    for format in FORMATS {
        let ids = |r: &TestResponse| {
            requests_of(format, r).into_iter().map(|m| m["service_request_id"].clone()).collect::<Vec<_>>()
        };
        let all = ids(&app.get(&format!("/open311/v2/requests.{format}")).await);
        assert!(all.contains(&public_id), "{format}: {all:?}");
        assert!(!all.contains(&secret_id), "{format}: a rahasia report is listed");
        let by_id = ids(&app.get(&format!("/open311/v2/requests.{format}?service_request_id={secret_id}")).await);
        assert!(by_id.is_empty(), "{format}: a rahasia report is found by its number");
        let r = app.get(&format!("/open311/v2/requests/{secret_id}.{format}")).await;
        refused(format, &r, StatusCode::NOT_FOUND, "service request");
        let r = app.get(&format!("/open311/v2/tokens/{secret_id}.{format}")).await;
        refused(format, &r, StatusCode::NOT_FOUND, "token");

        let road = ids(&app.get(&format!("/open311/v2/requests.{format}?service_code=JALAN-RUSAK&status=open")).await);
        assert!(road.contains(&public_id));
        let rubbish = ids(&app.get(&format!("/open311/v2/requests.{format}?service_code=SAMPAH")).await);
        assert!(!rubbish.contains(&public_id));
        let closed = ids(&app.get(&format!("/open311/v2/requests.{format}?status=closed")).await);
        assert!(!closed.contains(&public_id));
        let future =
            ids(&app.get(&format!("/open311/v2/requests.{format}?start_date=2100-01-01T00:00:00%2B08:00")).await);
        assert!(future.is_empty());
        let one = ids(&app.get(&format!("/open311/v2/requests.{format}?page_size=1")).await);
        assert_eq!(one.len(), 1);

        let updates = app.get(&format!("/open311/v2/servicerequestupdates.{format}")).await;
        assert_eq!(updates.status, StatusCode::OK, "{}", updates.body);
        let numbers: Vec<String> = if format == "json" {
            updates
                .json()
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["service_request_id"].as_str().unwrap().to_owned())
                .collect()
        } else {
            let root = parse_xml(&updates.body);
            assert_eq!(root.name, "service_request_updates");
            root.all("request_update").iter().map(|u| u.text_of("service_request_id").to_owned()).collect()
        };
        assert!(!numbers.contains(&secret_id), "{format}: a rahasia report's timeline is listed");
    }
}

#[tokio::test]
async fn an_administrator_makes_a_key_sees_it_once_and_revokes_it() {
    let app = TestApp::demo().await;
    let admin = app.sign_in_admin().await;
    let dashboard = app.get_with_cookie("/admin", &admin).await;
    assert!(dashboard.body.contains("href=\"/admin/open311\""), "the dashboard links the keys page");
    let page = app.get_with_cookie("/admin/open311", &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.header("cache-control"), "no-store");
    let csrf = page.hidden("csrf");

    let empty =
        app.post_form("/admin/open311", &admin, &[("csrf", &csrf), ("name", " "), ("government", "53.71")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "a key needs a name");
    assert!(empty.body.contains("id=\"name-error\""));

    let made = app
        .post_form("/admin/open311", &admin, &[("csrf", &csrf), ("name", "Aplikasi Warga"), ("government", "53.71")])
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(made.header("cache-control"), "no-store", "the page with the key is not kept");
    let start = made.body.find("<code id=\"key\">").expect("the key is shown") + "<code id=\"key\">".len();
    let key = made.body[start..].split('<').next().unwrap().to_owned();
    assert_eq!(key.len(), 64);
    let filed = post(&app, "json", &good_request(&key)).await;
    assert_eq!(filed.status, StatusCode::OK, "the new key files: {}", filed.body);
    let again = app.get_with_cookie("/admin/open311", &admin).await;
    assert!(again.body.contains("Aplikasi Warga") && !again.body.contains(&key), "the key is shown only once");

    let client = complaints::open311::list(&app.db).await.unwrap().into_iter().find(|c| c.name == "Aplikasi Warga");
    let client = client.unwrap();
    let revoked = app.post_form(&format!("/admin/open311/{}/cabut", client.id), &admin, &[("csrf", &csrf)]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert!(app.get_with_cookie("/admin/open311?dicabut=1", &admin).await.body.contains("Dicabut"));
    refused("json", &post(&app, "json", &good_request(&key)).await, StatusCode::FORBIDDEN, "api_key");
}
