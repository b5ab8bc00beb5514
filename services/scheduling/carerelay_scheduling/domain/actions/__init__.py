"""What each clinician action means, as pure functions `apply(target, body, by, at) -> outcome`: the
events it publishes and the changes to the records. `bodies` is what the app sends; `visit` the actions
at a visit (their order is `domain.visit_states`); `episode` the actions about the episode."""
