//! W6: ListUsers with an email filter, exact (`=`) and prefix (`^=`), on a large pool.

use crate::client::{Conn, Result};
use crate::load::{BoxFuture, Op};
use crate::users::email;
use serde_json::json;

pub struct ListByEmail {
    pub pool_id: String,
    pub prefix: String,
    pub users: usize,
    /// `^=` on the start of a user name (matching about a dozen users) instead of `=`.
    pub starts_with: bool,
}

impl ListByEmail {
    async fn list(&self, conn: &mut Conn) -> Result<()> {
        let n = rand::random_range(self.users / 10..self.users);
        let filter = if self.starts_with {
            format!("email ^= \"{}{}\"", self.prefix, n / 10)
        } else {
            format!("email = \"{}\"", email(&self.prefix, n))
        };
        let answer = conn
            .call(
                "ListUsers",
                &json!({ "UserPoolId": self.pool_id, "Filter": filter }),
            )
            .await?;
        let found = answer["Users"].as_array().map_or(0, Vec::len);
        let expected_exactly_one = !self.starts_with;
        if found == 0 || (expected_exactly_one && found != 1) {
            return Err(format!("ListUsers {filter} found {found} users"));
        }
        Ok(())
    }
}

impl Op for ListByEmail {
    fn run<'a>(&'a self, _: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.list(conn))
    }
}
