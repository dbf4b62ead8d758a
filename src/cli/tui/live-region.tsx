import { Box } from "ink";
import type { ReactNode } from "react";

/**
 * The part of the turn that still re-renders, cut to its last `maxRows` rows. ink redraws its whole
 * live area on every frame, and once that area is taller than the terminal each redraw pushes another
 * copy into the scrollback; clipping keeps it on screen. Clipped rows are not lost: they reach the
 * static transcript in full once their block is finished.
 */
export function LiveRegion({ maxRows, children }: { maxRows: number | null; children: ReactNode }) {
  if (maxRows === null) return <Box flexDirection="column">{children}</Box>;
  return (
    <Box flexDirection="column" maxHeight={Math.max(1, maxRows)} overflow="hidden" justifyContent="flex-end">
      <Box flexDirection="column" flexShrink={0}>
        {children}
      </Box>
    </Box>
  );
}
