//! An SMTP sink for tests: a real SMTP server on a loopback port (RFC 5321's commands that a
//! client sending mail uses: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps every
//! message instead of relaying it, with its body decoded (base64 or quoted-printable) so a
//! test can read what a person would.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// Header lines as received (unfolded), `name: value`.
    pub headers: Vec<(String, String)>,
    /// The body, transfer-decoded.
    pub body: String,
}

impl Mail {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running sink; the messages it received so far.
#[derive(Debug, Clone)]
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    /// Listens on `127.0.0.1:0` on the current tokio runtime.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let _ = session(socket, kept).await;
                });
            }
        });
        Ok(Self { port, mails })
    }

    /// `smtp://127.0.0.1:<port>` (plain, as `sunlight_app::notify` takes it).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    kept: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let (r, mut w) = socket.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            w.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            w.write_all(b"250 ok\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&cmd[10..]);
            to.clear();
            w.write_all(b"250 ok\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&cmd[8..]));
            w.write_all(b"250 ok\r\n").await?;
        } else if upper == "DATA" {
            w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let l = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(l);
            }
            let mail = parse(std::mem::take(&mut from), std::mem::take(&mut to), &data);
            if let Ok(mut m) = kept.lock() {
                m.push(mail);
            }
            w.write_all(b"250 queued\r\n").await?;
        } else if upper == "RSET" {
            from.clear();
            to.clear();
            w.write_all(b"250 ok\r\n").await?;
        } else if upper == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"502 not implemented\r\n").await?;
        }
    }
}

fn address(s: &str) -> String {
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or(s);
    s.trim_start_matches('<').trim_end_matches('>').to_string()
}

fn parse(from: String, to: Vec<String>, data: &str) -> Mail {
    let data = data.replace("\r\n", "\n");
    let (head, body) = data.split_once("\n\n").unwrap_or((&data, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for l in head.lines() {
        if l.starts_with(' ') || l.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push_str(l.trim());
            }
        } else if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let encoding = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Transfer-Encoding"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    let body = match encoding.as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .unwrap_or_default();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        "quoted-printable" => String::from_utf8_lossy(&qp_decode(body)).into_owned(),
        _ => body.to_string(),
    };
    Mail {
        from,
        to,
        headers,
        body,
    }
}

fn qp_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let Some(h) = b.get(i + 1..i + 3)
                && let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(h), 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}
