import { Box, Static, useInput, usePaste, useStdout } from "ink";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { AgentRunner } from "../../core/agent/types.js";
import { ApprovalPrompt } from "./approval-prompt.js";
import { ElicitationForm } from "./elicitation-form.js";
import type { Entry, NoteTone } from "./entries.js";
import { EntryView } from "./entry-view.js";
import { totalTokens } from "./format.js";
import { keyAction } from "./key-action.js";
import { LiveRegion } from "./live-region.js";
import type { NoticeFeed } from "./notice-feed.js";
import { PromptInput, promptRows } from "./prompt-input.js";
import { SessionPicker } from "./session-picker.js";
import { isSlashCommand, type RecentSession, runSlashCommand, type SlashContext } from "./slash-commands.js";
import { Footer, Header } from "./status-bars.js";
import { useApproval } from "./use-approval.js";
import { useElicitation } from "./use-elicitation.js";
import { useExitKeys } from "./use-exit-keys.js";
import { usePrompt } from "./use-prompt.js";
import { useQuestionQueue } from "./use-question-queue.js";
import { useTerminalSize } from "./use-terminal-size.js";
import { useTurn } from "./use-turn.js";

export interface AppProps {
  runner: AgentRunner;
  profile: string;
  sessionKey: string;
  /** Earlier inputs, oldest first, for Up/Down. */
  history: readonly string[];
  historyFile: string;
  usageText: () => Promise<string>;
  /** Saved sessions, most recent first, for /resume. */
  recentSessions?: () => Promise<RecentSession[]>;
  /** Lines from outside the UI (an MCP step-up login's URL), shown as notes. */
  notices?: NoticeFeed;
  onExit: (code: number) => void;
  now?: () => number;
}

/**
 * Rows around the live region besides the input text: the header and its margin, the input box's
 * borders, the footer, one row in case the footer wraps, and one so the frame never fills the screen.
 */
const CHROME_ROWS = 6;

/** The interactive chat: static transcript, live turn, status line, input box, footer. */
export function App(props: AppProps) {
  const { runner, onExit } = props;
  const now = props.now ?? Date.now;
  const { columns: width, rows, resizes } = useTerminalSize();
  const { stdout, write } = useStdout();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [epoch, setEpoch] = useState(0);
  const [sessionKey, setSessionKey] = useState(props.sessionKey);
  const [model, setModel] = useState(runner.model);
  const [provider, setProvider] = useState(runner.provider);
  const [sessionBase, setSessionBase] = useState(0);
  const [sessionExtra, setSessionExtra] = useState(0);
  const [lastTurnTokens, setLastTurnTokens] = useState(0);
  const [expanded, setExpanded] = useState(false);
  const [turnStartedAt, setTurnStartedAt] = useState(0);
  // Set on exit; the exit itself waits for the frame drawn without transient hints.
  const [exitCode, setExitCode] = useState<number | null>(null);
  const idRef = useRef(0);
  const expandedRef = useRef(expanded);
  expandedRef.current = expanded;
  const lastToolsRef = useRef<Entry[]>([]);

  const append = useCallback((items: Entry[]) => {
    setEntries((prev) => [...prev, ...items]);
  }, []);
  const note = useCallback(
    (text: string, tone: NoteTone = "info") => {
      idRef.current += 1;
      append([{ kind: "note", id: `n${idRef.current}`, text, tone }]);
    },
    [append],
  );

  const elicitation = useElicitation();
  const approval = useApproval();
  // /resume's picker, shown in place of the prompt like the questions above.
  const picker = useQuestionQueue<readonly RecentSession[], string | null>(null);
  // One Interaction for the turn: MCP forms and risky-tool approvals, each shown in place of the prompt.
  const interaction = useMemo(
    () => ({ ...elicitation.interaction, ...approval.interaction }),
    [elicitation.interaction, approval.interaction],
  );
  const { notices } = props;
  useEffect(() => notices?.subscribe((line) => note(line)), [notices, note]);
  const turn = useTurn({
    runner,
    now,
    interaction,
    onCommit: (done) => {
      const tools = done.filter((e) => e.kind === "tool");
      if (tools.length > 0) lastToolsRef.current = [...lastToolsRef.current, ...tools];
      append(done.map((e) => (e.kind === "tool" ? { ...e, expanded: expandedRef.current } : e)));
    },
    onModel: (p, m) => {
      setProvider(p);
      setModel(m);
    },
    onFinish: (usage) => {
      setLastTurnTokens(totalTokens(usage));
      setSessionExtra((n) => n + totalTokens(usage));
    },
  });
  const prompt = usePrompt(props.history, props.historyFile);
  const exitKeys = useExitKeys(now);
  const exit = useCallback((code: number) => setExitCode((prev) => prev ?? code), []);
  const onExitRef = useRef(onExit);
  onExitRef.current = onExit;
  useEffect(() => {
    if (exitCode !== null) onExitRef.current(exitCode);
  }, [exitCode]);

  useEffect(() => {
    let current = true;
    setSessionExtra(0);
    setLastTurnTokens(0);
    runner.sessionUsage(sessionKey).then(
      (usage) => current && setSessionBase(totalTokens(usage)),
      () => current && setSessionBase(0),
    );
    return () => {
      current = false;
    };
  }, [runner, sessionKey]);

  const slashContext = (): SlashContext => ({
    sessionKey,
    model,
    note,
    usageText: props.usageText,
    ...(props.recentSessions ? { recentSessions: props.recentSessions } : {}),
    pickSession: (sessions) => picker.ask(sessions, new AbortController().signal),
    exit: () => exit(0),
    setModel: (name) => {
      runner.setModel(name);
      setModel(name);
    },
    setSessionKey: (key) => setSessionKey(key),
    resetSession: async () => {
      await runner.resetSession(sessionKey);
      // A real terminal gets a cleared screen; the transcript list restarts either way.
      if ((stdout as Partial<NodeJS.WriteStream>).isTTY) write("\u001b[2J\u001b[H");
      setEntries([]);
      setEpoch((e) => e + 1);
      setSessionBase(0);
      setSessionExtra(0);
      setLastTurnTokens(0);
      lastToolsRef.current = [];
      note(`new session started for ${sessionKey} (the previous transcript is archived)`);
    },
  });

  const submit = (text: string) => {
    if (text.trim() === "") return;
    prompt.remember(text);
    prompt.setText("");
    if (isSlashCommand(text)) {
      void runSlashCommand(text, slashContext());
      return;
    }
    idRef.current += 1;
    append([{ kind: "user", id: `u${idRef.current}`, text }]);
    lastToolsRef.current = [];
    setTurnStartedAt(now());
    turn.start(text, sessionKey);
  };

  const toggleTools = () => {
    const next = !expanded;
    setExpanded(next);
    // Finished tool lines are static; when expanding at rest, replay the last turn's outputs below.
    if (next && !turn.running && lastToolsRef.current.length > 0) {
      append(lastToolsRef.current.map((e) => ({ ...e, id: `${e.id}.x${idRef.current++}`, expanded: true })));
    }
  };

  const enterPressed = () => {
    const text = prompt.enter();
    if (text !== null) submit(text);
  };

  // While an MCP server's form is open, the keys are the form's.
  const promptKeys = {
    isActive: elicitation.pending === null && approval.pending === null && picker.pending === null,
  };
  usePaste((text) => prompt.edit({ type: "insert", text }), promptKeys);
  useInput((input, key) => {
    const action = keyAction(input, key);
    const empty = prompt.currentText() === "";
    switch (action.type) {
      case "ctrl-c":
        if (turn.interrupt()) return;
        if (!empty) return prompt.setText("");
        if (exitKeys.pressCtrlC()) exit(0);
        return;
      case "ctrl-d":
        if (empty && !turn.running) return exit(0);
        prompt.edit({ type: "delete" });
        return;
      case "toggle-tools":
        return toggleTools();
      case "type-submit":
        prompt.edit({ type: "insert", text: action.text });
        if (turn.running) return;
        return enterPressed();
      case "submit":
        if (turn.running) return;
        return enterPressed();
      default:
        prompt.edit(action);
    }
  }, promptKeys);

  const liveEntries = turn.live?.entries ?? [];
  const liveTokens = turn.live ? totalTokens(turn.live.usage) : lastTurnTokens;
  const busyLabel = turn.interrupting
    ? "interrupting"
    : (turn.live?.retrying ?? (turn.live?.thinking ? "thinking" : "working"));
  return (
    <Box flexDirection="column" width={width}>
      <Static key={`${epoch}.${resizes}`} items={entries}>
        {(entry) => (
          <Box key={entry.id} width={width}>
            <EntryView entry={entry} width={width} />
          </Box>
        )}
      </Static>
      <LiveRegion maxRows={rows === null ? null : rows - CHROME_ROWS - promptRows(prompt.buffer.text, width)}>
        {liveEntries.map((entry) => (
          <EntryView key={entry.id} entry={entry} width={width} expanded={expanded} />
        ))}
      </LiveRegion>
      <Box marginTop={1}>
        <Header profile={props.profile} provider={provider} model={model} />
      </Box>
      {elicitation.pending ? (
        <ElicitationForm key={elicitation.pending.id} pending={elicitation.pending} width={width} />
      ) : approval.pending ? (
        <ApprovalPrompt key={approval.pending.id} pending={approval.pending} width={width} />
      ) : picker.pending ? (
        <SessionPicker key={picker.pending.id} pending={picker.pending} width={width} />
      ) : (
        <PromptInput
          buffer={prompt.buffer}
          width={width}
          placeholder={turn.running ? "Ctrl-C to interrupt" : "message, /help for commands"}
        />
      )}
      <Footer
        sessionKey={sessionKey}
        turnTokens={liveTokens}
        sessionTokens={sessionBase + sessionExtra + (turn.live ? liveTokens : 0)}
        busy={turn.running ? { startedAt: turnStartedAt, label: busyLabel } : null}
        now={now}
        hint={exitCode === null ? exitKeys.hint : null}
        toolsExpanded={expanded}
      />
    </Box>
  );
}
