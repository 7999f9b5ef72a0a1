# page (report/src/html.rs): the client block of the status page (serve --client-state).
page-client-heading = Client state
