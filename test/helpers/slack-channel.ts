import type { FakeSlack } from "../fakes/slack-server.js";

/** The `channels.slack` config for `kavilo start` against the fake Slack (Socket Mode), letting `allowFrom` in. */
export function slackChannel(slack: FakeSlack, allowFrom: string[]) {
  return {
    enabled: true,
    botToken: slack.botToken,
    appToken: slack.appToken,
    allowFrom,
    apiUrl: slack.apiUrl,
  };
}
