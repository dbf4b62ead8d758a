import { Box, Text } from "ink";
import { useEffect, useState } from "react";
import { formatTokens } from "./format.js";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function Header({ profile, provider, model }: { profile: string; provider: string; model: string }) {
  return (
    <Text>
      <Text bold color="magenta">
        kavilo
      </Text>
      <Text dimColor>{" · profile "}</Text>
      <Text>{profile}</Text>
      <Text dimColor>{" · model "}</Text>
      <Text color="cyan">{model}</Text>
      <Text dimColor>{" · provider "}</Text>
      <Text>{provider}</Text>
    </Text>
  );
}

/** Spinner with elapsed seconds; it owns its timer so only this line re-renders while waiting. */
function Spinner({ startedAt, now, label }: { startedAt: number; now: () => number; label: string }) {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 100);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.floor((now() - startedAt) / 1000));
  return <Text color="yellow">{`${SPINNER[tick % SPINNER.length]} ${label} ${seconds}s`}</Text>;
}

export interface FooterProps {
  sessionKey: string;
  turnTokens: number;
  sessionTokens: number;
  busy: { startedAt: number; label: string } | null;
  now: () => number;
  hint: string | null;
  toolsExpanded: boolean;
}

export function Footer(props: FooterProps) {
  return (
    <Box flexDirection="row" justifyContent="space-between">
      <Text dimColor>
        {`session ${props.sessionKey} · turn ${formatTokens(props.turnTokens)} tok · session ${formatTokens(
          props.sessionTokens,
        )} tok${props.toolsExpanded ? " · tool output shown" : ""}`}
      </Text>
      {props.hint !== null ? (
        <Text color="yellow">{props.hint}</Text>
      ) : props.busy ? (
        <Spinner startedAt={props.busy.startedAt} now={props.now} label={props.busy.label} />
      ) : (
        <Text dimColor>/help</Text>
      )}
    </Box>
  );
}
