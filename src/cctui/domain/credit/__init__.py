"""Credit control: policies, credit actions and events, limits, held documents, approvals."""
