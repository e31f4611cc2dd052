//! The task-v1 document (`application/vnd.eduserv.iam.reports.task-v1+json`), read leniently where the
//! reference is loose.

use super::json::Json;
use super::messages::{bad_response, describe_body};
use crate::error::Result;

/// The task-v1 document (`application/vnd.eduserv.iam.reports.task-v1+json`).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDocument {
    pub status: String,
    /// A number by the reference; anything else is ignored rather than failing a report that is fine.
    pub percent_complete: Option<f64>,
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub href: String,
    pub rel: String,
}

impl TaskDocument {
    /// A JSON object with a string `status` and, if there are `links`, a list of `{href, rel}` strings.
    pub fn parse(body: &[u8]) -> Result<TaskDocument> {
        Self::read(&Json::parse(body).unwrap_or(Json::Null)).ok_or_else(|| {
            bad_response(format!(
                "The API answered with something that is not a report task ({}).",
                describe_body(body)
            ))
        })
    }

    fn read(json: &Json) -> Option<TaskDocument> {
        let text = |json: &Json, key| json.get(key)?.as_str().map(str::to_owned);
        let links = match json.get("links") {
            None => Vec::new(),
            Some(links) => links
                .as_array()?
                .iter()
                .map(|link| {
                    Some(Link {
                        href: text(link, "href")?,
                        rel: text(link, "rel")?,
                    })
                })
                .collect::<Option<_>>()?,
        };
        Some(TaskDocument {
            status: text(json, "status")?,
            percent_complete: json.get("percentComplete").and_then(Json::as_f64),
            links,
        })
    }

    pub(super) fn link(&self, rel: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|link| link.rel.eq_ignore_ascii_case(rel))
            .map(|link| link.href.as_str())
    }

    pub(super) fn percent(&self) -> Option<f64> {
        self.percent_complete.map(|p| p.clamp(0.0, 100.0))
    }
}
