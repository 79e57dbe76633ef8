//! The web layer of dangbo: HTML pages, the JSON API with its OpenAPI description,
//! server-sent events and static assets, over the use cases in `dangbo-app`. Nothing
//! else may depend on it. It is empty until the web application (issue 3) lands; the
//! crate exists now so that the layers are in place from the first commit.
