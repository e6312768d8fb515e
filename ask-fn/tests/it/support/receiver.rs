//! A local webhook receiver on 127.0.0.1 standing in for Teams or Slack: records every JSON
//! body it is sent and answers as told (accept, fail, or hang past the sender's timeout).

#![allow(dead_code, reason = "not every helper is used by every test module")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use serde_json::Value;

#[derive(Clone, Copy)]
pub enum Reply {
    /// 200 `ok`, like Slack (Teams Workflows answers 202).
    Accept,
    Fail(u16),
    /// Waits this long before accepting.
    Hang(Duration),
}

struct Shared {
    reply: Reply,
    received: Mutex<Vec<Value>>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
}

impl Receiver {
    pub async fn start(reply: Reply) -> Receiver {
        let shared = Arc::new(Shared {
            reply,
            received: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route("/hook/{token}", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Receiver {
            url: format!("http://{addr}/hook/secret-token-123"),
            shared,
        }
    }

    /// A URL where nothing listens: the receiver is down.
    pub async fn down() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/hook/secret-token-123")
    }

    pub fn received(&self) -> Vec<Value> {
        self.shared.received.lock().unwrap().clone()
    }
}

async fn receive(State(shared): State<Arc<Shared>>, body: String) -> (StatusCode, &'static str) {
    let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    shared.received.lock().unwrap().push(value);
    match shared.reply {
        Reply::Accept => (StatusCode::OK, "ok"),
        Reply::Fail(code) => (StatusCode::from_u16(code).unwrap(), "invalid_payload"),
        Reply::Hang(delay) => {
            tokio::time::sleep(delay).await;
            (StatusCode::OK, "ok")
        }
    }
}
