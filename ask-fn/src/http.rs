//! The HTTP face of the handler: one axum router, served by `lambda_http::run` in AWS and by
//! `axum::serve` on 127.0.0.1 locally. Everything HTTP-specific lives here: routes, CORS, the
//! body's size and content type (checked once, here, before the handler sees the body), the
//! client IP, and turning results into JSON or (for the form without JavaScript) a small HTML
//! page. An [`AskError`] gets its status and words only here, through [`refusal`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::error::AskError;
use crate::form::Encoding;
use crate::handler::{App, AskInput};
use crate::messages::Lang;

mod refusal;
pub use refusal::{refusal, FieldError, Refusal};

/// The routes: `POST /ask` (and its CORS preflight), `GET /healthz`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/ask", post(ask).options(preflight))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|State(app): State<Arc<App>>| async move {
            json_error(&AskError::NotFound, default_lang(&app))
        })
        .with_state(app)
}

/// Where a request came from, as far as we can trust it: the Lambda request context (API
/// Gateway / Function URL fill it from the TCP connection), else the local socket. Headers like
/// X-Forwarded-For are ignored: anyone can set them.
///
/// In Lambda, an event without a source IP (an ALB target group, or a REST API event shaped by
/// something else) is refused rather than served: serving it would silently switch the IP
/// limit off. Locally, a request without a socket address (tests calling the router directly)
/// has none and is served.
fn client_ip(request: &Request<Body>) -> Result<Option<IpAddr>, AskError> {
    use lambda_http::request::RequestContext;
    if let Some(context) = request.extensions().get::<RequestContext>() {
        let source = match context {
            RequestContext::ApiGatewayV2(context) => context.http.source_ip.clone(),
            RequestContext::ApiGatewayV1(context) => context.identity.source_ip.clone(),
            #[allow(
                unreachable_patterns,
                reason = "other event sources depend on lambda_http features"
            )]
            _ => None,
        };
        return match source.and_then(|ip| ip.parse().ok()) {
            Some(ip) => Ok(Some(ip)),
            None => {
                tracing::error!("the Lambda event carries no client IP (an ALB or another event source?); refused, as the IP limit would be off. Put the function behind the template's HTTP API");
                Err(AskError::NoClientIp)
            }
        };
    }
    Ok(request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip()))
}

/// A request id for logs: Lambda's, or a local one.
fn request_id(request: &Request<Body>) -> String {
    use lambda_http::RequestExt;
    request
        .lambda_context_ref()
        .map(|context| context.request_id.clone())
        .unwrap_or_else(|| crate::store::new_lead_id(0)[14..].to_owned())
}

/// The origin check. Browsers send `Origin` on every POST; we accept the configured site
/// origin, and the request's own host (same-origin, as under `tryfirst serve`). Requests
/// without `Origin` (curl, server-to-server) are not browser cross-site requests and pass.
/// Strings are compared: browsers send `Origin` and `Host` already normalised (lower-case, no
/// default port), and settings stores the configured origin in that form.
fn origin_allowed(app: &App, headers: &HeaderMap) -> Result<Option<HeaderValue>, AskError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(None);
    };
    let text = origin.to_str().unwrap_or_default().trim_end_matches('/');
    let configured = app.settings.allowed_origin.as_deref() == Some(text);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let same_origin =
        !host.is_empty() && (text == format!("http://{host}") || text == format!("https://{host}"));
    if configured {
        Ok(Some(origin.clone()))
    } else if same_origin {
        Ok(None)
    } else {
        Err(AskError::OriginNotAllowed)
    }
}

async fn preflight(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match origin_allowed(&app, &headers) {
        Ok(allowed) => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            let out = response.headers_mut();
            if let Some(origin) = allowed {
                out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                out.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("POST, OPTIONS"),
                );
                out.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("content-type"),
                );
                out.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("600"),
                );
            }
            out.insert(header::VARY, HeaderValue::from_static("Origin"));
            response
        }
        Err(error) => json_error(&error, default_lang(&app)),
    }
}

/// The words for a request with no page language to read (no body, or not ours to read yet):
/// the bundle's default language.
fn default_lang(app: &App) -> Lang {
    Lang::of(&app.bundle().default_language)
}

async fn ask(State(app): State<Arc<App>>, request: Request<Body>) -> Response {
    let ip = match client_ip(&request) {
        Ok(ip) => ip,
        Err(error) => return json_error(&error, default_lang(&app)),
    };
    let id = request_id(&request);
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let cors = match origin_allowed(&app, &headers) {
        Ok(cors) => cors,
        Err(error) => return json_error(&error, default_lang(&app)),
    };
    let encoding = crate::form::encoding_of(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    );
    let wants_html = wants_html(&headers, encoding.as_ref().ok().copied());
    // Size first, then the type: an oversize body is refused unread, whatever it claims to be.
    let body = read_body(body, &headers, app.settings.max_body_bytes).await;
    // A refusal is worded in the page's language as far as the body tells it (even a body
    // whose fields are wrong says its `lang`); one refused unread gets the default's.
    let lang = match (&body, &encoding) {
        (Ok(bytes), Ok(encoding)) => Lang::of(&app.page_language(bytes, *encoding)),
        _ => default_lang(&app),
    };
    let result = match (&body, encoding) {
        (Ok(bytes), Ok(encoding)) => {
            app.ask(AskInput {
                body: bytes,
                encoding,
                client_ip: ip,
                request_id: &id,
            })
            .await
        }
        (Err(error), _) => Err(error.clone()),
        (Ok(_), Err(error)) => Err(error),
    };
    let mut response = match (result, wants_html) {
        (Ok(answer), false) => json_response(
            StatusCode::OK,
            &serde_json::to_value(&answer).unwrap_or_default(),
        ),
        (Ok(answer), true) => html_response(StatusCode::OK, &crate::page::answer(&answer)),
        (Err(error), false) => json_error(&error, lang),
        (Err(error), true) => {
            let refused = refusal(&error, lang);
            let fields = body
                .as_ref()
                .map(|b| crate::form::raw_fields(b, Encoding::UrlEncoded))
                .unwrap_or_default();
            let back = fields
                .get("back")
                .cloned()
                .unwrap_or_else(|| app.bundle().base_url.clone() + "/");
            let response = html_response(
                refused.status,
                &crate::page::error(
                    lang,
                    &refused,
                    &fields,
                    &back,
                    &app.bundle().base_url,
                    &app.bundle().company_name,
                ),
            );
            with_retry_after(response, &refused)
        }
    };
    if let Some(origin) = cors {
        response
            .headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// The body, up to `limit` bytes: a declared length over it is refused without reading.
async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, AskError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(AskError::BodyTooLarge);
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AskError::BodyTooLarge)
}

/// The plain HTML form (no JavaScript) posts url-encoded and reads the reply as a page; our
/// script posts JSON and reads JSON.
fn wants_html(headers: &HeaderMap, encoding: Option<Encoding>) -> bool {
    let form = encoding == Some(Encoding::UrlEncoded);
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    form && !accept.contains("application/json")
}

/// A body with the headers every answer of this function carries: its type, never cached (it
/// is one visitor's answer), never sniffed as something else.
fn response(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    response(status, "application/json", body.to_string())
}

fn json_error(error: &AskError, lang: Lang) -> Response {
    let refused = refusal(error, lang);
    with_retry_after(json_response(refused.status, &refused.body()), &refused)
}

fn with_retry_after(mut response: Response, refused: &Refusal) -> Response {
    if let Some(seconds) = refused.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn html_response(status: StatusCode, html: &str) -> Response {
    let mut response = response(status, "text/html; charset=utf-8", html.to_owned());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action *; base-uri 'none'; frame-ancestors 'none'"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::aws_lambda_events::apigw::{
        ApiGatewayProxyRequestContext, ApiGatewayV2httpRequestContext,
    };
    use lambda_http::request::RequestContext;

    fn with_context(context: RequestContext) -> Request<Body> {
        let mut request = Request::new(Body::empty());
        request.extensions_mut().insert(context);
        request
    }

    #[test]
    fn a_lambda_event_without_a_source_ip_is_refused_not_served_without_an_ip_limit() {
        // What an ALB-shaped event parsed as a REST API event looks like: no identity.sourceIp.
        let error = client_ip(&with_context(RequestContext::ApiGatewayV1(
            ApiGatewayProxyRequestContext::default(),
        )))
        .unwrap_err();
        assert_eq!(error, AskError::NoClientIp);
        let mut v2 = ApiGatewayV2httpRequestContext::default();
        v2.http.source_ip = Some("not an ip".into());
        assert!(client_ip(&with_context(RequestContext::ApiGatewayV2(v2.clone()))).is_err());
        v2.http.source_ip = Some("203.0.113.9".into());
        assert_eq!(
            client_ip(&with_context(RequestContext::ApiGatewayV2(v2))).unwrap(),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            client_ip(&Request::new(Body::empty())).unwrap(),
            None,
            "local, no socket"
        );
    }
}
