"""What the GP is sent, as FHIR R4: at the end of every episode a discharge summary (a document
Bundle: Composition first, then the Patient, the EpisodeOfCare, an Encounter per visit made (class HH,
home health), Observations for the assessments and ServiceRequests for onward referrals); and when a
NEWS2 emergency or a serious concern is recorded, an urgent Communication.

Pure functions of what the service has gathered from the events it consumes; every resource has
a `urn:uuid:` full URL derived from the ids in the events, so the same episode gives the same document."""
