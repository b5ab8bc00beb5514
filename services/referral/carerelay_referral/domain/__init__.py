"""The hub's rules, pure: what a referral is and what taking, adding to and deciding one mean, how
the board moves as the episode's events arrive, the timeline's words, localities and the practice
directory. No database, HTTP or Kafka here."""
