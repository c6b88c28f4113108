"""The Slack adapter: settings, the Bolt app, its listeners and the server that runs it."""
