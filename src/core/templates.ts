/** Workspace files `kavilo onboard` creates. Kept in code so the single binary carries them. */
export const WORKSPACE_TEMPLATES: Readonly<Record<string, string>> = {
  "AGENTS.md": `# Agent instructions

You are kavilo, a personal assistant that runs on the user's own machine.

- Be direct and brief; prefer doing over describing.
- Use the tools to read and change files in the workspace, run commands, and fetch web pages.
- Before a destructive action (deleting files, sending messages to other people), say what you will do.
- When you learn a lasting fact about the user or their setup, add it to MEMORY.md.
`,
  "SOUL.md": `# Soul

Describe the assistant's personality and tone here. For example:

- Friendly, plain-spoken, no filler.
- Admits uncertainty instead of guessing.
`,
  "USER.md": `# User

Facts about you that help the assistant: name, time zone, role, preferences.

- Name:
- Time zone:
- Preferences:
`,
  "MEMORY.md": `# Memory

Long-term facts the assistant should remember across sessions.
`,
  // Everything but the heading sits in a comment: an untouched file must cost no model call.
  "HEARTBEAT.md": `# Heartbeat

<!--
Tasks for the periodic heartbeat (runtime.heartbeat, off by default). While this file holds only
headings, comments and empty checkboxes, the heartbeat makes no model call. Write tasks below
this comment, for example:

- [ ] Every morning, summarise my calendar file calendar.md
-->
`,
  "skills/README.md": `# Skills

Each skill is a folder with a SKILL.md whose frontmatter names and describes it:

    ---
    name: weather
    description: Look up the weather for a city with curl wttr.in
    ---
    Instructions for the agent...

The agent sees every skill's name and description, and reads SKILL.md when it needs one.
A skill can require programs or variables (metadata: kavilo: requires: bins/env), or be always
in the prompt (always: true); \`kavilo skills list\` shows each skill and whether it is available.
`,
};
