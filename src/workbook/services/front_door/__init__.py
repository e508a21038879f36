"""The front door: referrals (contacts) received before any workbook, and their triage."""
