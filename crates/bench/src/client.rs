//! A lean awsJson1.1 client: one HTTP/1.1 keep-alive connection, raw JSON bodies with
//! `X-Amz-Target`, no SigV4 (the server under test runs without a credentials file). Kept
//! minimal so that the client's own CPU stays small next to the server's: a call writes its
//! request and reads its answer on the connection itself, in the calling task (no connection
//! task to hand each request to and back), and parses only what HTTP/1.1 needs for that.

use serde_json::Value;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Everything here fails with a message: a benchmark stops at the first surprise.
pub type Result<T> = std::result::Result<T, String>;

/// One keep-alive connection to the server.
pub struct Conn {
    stream: TcpStream,
    host: String,
    /// The request being written, then the answer being read.
    buf: Vec<u8>,
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Self {
            stream,
            host: addr.to_string(),
            buf: Vec::with_capacity(4096),
        })
    }

    /// Calls `AWSCognitoIdentityProviderService.<operation>`; an error carries the HTTP
    /// status and the `__type` and `message` of the answer.
    pub async fn call(&mut self, operation: &str, body: &Value) -> Result<Value> {
        let body = body.to_string();
        self.buf.clear();
        self.buf.extend_from_slice(
            format!(
                "POST / HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-amz-json-1.1\r\n\
                 x-amz-target: AWSCognitoIdentityProviderService.{operation}\r\n\
                 content-length: {}\r\n\r\n",
                self.host,
                body.len()
            )
            .as_bytes(),
        );
        self.buf.extend_from_slice(body.as_bytes());
        self.stream
            .write_all(&self.buf)
            .await
            .map_err(|e| format!("{operation}: {e}"))?;
        let (status, body) = self
            .read_answer()
            .await
            .map_err(|e| format!("{operation}: {e}"))?;
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            Ok(value)
        } else {
            Err(format!(
                "{operation}: HTTP {status} {} {}",
                value["__type"].as_str().unwrap_or("?"),
                value["message"].as_str().unwrap_or("")
            ))
        }
    }

    /// Reads one answer: its status and its body (sized by `content-length`; the server
    /// sends nothing else on this connection until the next request).
    async fn read_answer(&mut self) -> Result<(u16, &[u8])> {
        self.buf.clear();
        let head = loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            self.read_more().await?;
        };
        let text = std::str::from_utf8(&self.buf[..head]).map_err(|e| e.to_string())?;
        let mut lines = text.split("\r\n");
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse::<u16>().ok())
            .ok_or_else(|| format!("not an HTTP answer: {text:?}"))?;
        let length = lines
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok())
            .ok_or_else(|| format!("an answer without content-length: {text:?}"))?;
        while self.buf.len() < head + length {
            self.read_more().await?;
        }
        if self.buf.len() > head + length {
            return Err("more bytes than the answer's content-length".into());
        }
        Ok((status, &self.buf[head..]))
    }

    async fn read_more(&mut self) -> Result<()> {
        self.buf.reserve(16 * 1024);
        let read = self.stream.read_buf(&mut self.buf).await;
        if read.map_err(|e| e.to_string())? == 0 {
            return Err("the server closed the connection".into());
        }
        Ok(())
    }
}

/// A string field of an answer, or an error naming it.
pub fn field<'a>(value: &'a Value, pointer: &str) -> Result<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("no {pointer} in {value}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokio::net::TcpListener;

    /// A server that answers each request with the next of `answers`, each written in the
    /// pieces given (a pause between them), then closes.
    async fn serve(answers: Vec<Vec<&'static [u8]>>) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            for pieces in answers {
                let mut request = Vec::new();
                while !request.ends_with(b"}") {
                    let mut chunk = [0u8; 4096];
                    let n = stream.read(&mut chunk).await.unwrap();
                    request.extend_from_slice(&chunk[..n]);
                }
                let text = String::from_utf8(request).unwrap();
                assert!(text.starts_with("POST / HTTP/1.1\r\n"), "{text}");
                assert!(text.contains("content-length: 12\r\n\r\n{\"a\":\"1234\"}"));
                for piece in pieces {
                    stream.write_all(piece).await.unwrap();
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            }
        });
        addr
    }

    #[tokio::test]
    async fn answers_are_read_whole_however_they_arrive() {
        let addr = serve(vec![
            vec![b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"x\":\"yz\"}"],
            vec![
                b"HTTP/1.1 200 OK\r\nconte",
                b"nt-length: 10\r\n\r\n{\"x\"",
                b":\"ab\"}",
            ],
            vec![
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 33\r\n\r\n",
                b"{\"__type\":\"Nope\",\"message\":\"no.\"}",
            ],
            vec![b"HTTP/1.1 200 OK\r\n\r\n{}"],
            vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}{}"],
            vec![b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n{\"x\""],
        ])
        .await;
        let mut conn = Conn::connect(addr).await.unwrap();
        let body = json!({ "a": "1234" });
        let first = conn.call("One", &body).await.unwrap();
        assert_eq!(field(&first, "/x").unwrap(), "yz");
        let second = conn.call("Two", &body).await.unwrap();
        assert_eq!(field(&second, "/x").unwrap(), "ab");
        let third = conn.call("Three", &body).await.unwrap_err();
        assert_eq!(third, "Three: HTTP 400 Nope no.");
        let fourth = conn.call("Four", &body).await.unwrap_err();
        assert!(fourth.contains("without content-length"), "{fourth}");
        let fifth = conn.call("Five", &body).await.unwrap_err();
        assert!(fifth.contains("more bytes"), "{fifth}");
        let sixth = conn.call("Six", &body).await.unwrap_err();
        assert_eq!(sixth, "Six: the server closed the connection");
    }
}
