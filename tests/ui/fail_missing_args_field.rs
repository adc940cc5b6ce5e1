// Two IDs of one endpoint are named fields of its `…Args` struct: they
// cannot be swapped silently, and leaving one out does not compile.
use helpdesk_api::{Client, ticket};

fn build(client: &Client) {
    let _ = client.ticket().ticket_image(ticket::TicketImageArgs {
        ticket_id: "6948728206392295444".into(),
    });
}

fn main() {
    let _ = build;
}
