import { useStdout } from "ink";
import { useEffect, useState } from "react";

const FALLBACK_COLUMNS = 80;

// ink types its stdout as a plain writable; a terminal's has `columns`, a pipe's does not.
function columnsOf(stdout: NodeJS.WritableStream): number {
  return (stdout as Partial<NodeJS.WriteStream>).columns || FALLBACK_COLUMNS;
}

/** The terminal's width, re-read on every 'resize' so the layout reflows. */
export function useTerminalWidth(): number {
  const { stdout } = useStdout();
  const [columns, setColumns] = useState(() => columnsOf(stdout));
  useEffect(() => {
    const onResize = () => setColumns(columnsOf(stdout));
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return columns;
}
