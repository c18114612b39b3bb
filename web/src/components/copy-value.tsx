// A value to copy elsewhere (a CID, a hash, a new API key's secret): shown whole, in a monospace
// font that wraps anywhere on a phone, with a Copy button. The clipboard API exists only on https
// or localhost, and Tally may be served over plain http inside a network: there, the button selects
// the value instead, for the reader to copy with the keyboard.
import { Button, Code, Group, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';

type Outcome = 'idle' | 'copied' | 'selected';

/** Selects the element's text, as a triple click would. */
function select(element: HTMLElement) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

export function CopyValue({ value, label }: { value: string /** What the value is: "the CID". */; label: string }) {
  const text = useRef<HTMLElement>(null);
  const [outcome, setOutcome] = useState<Outcome>('idle');
  useEffect(() => {
    if (outcome !== 'copied') return;
    const timer = setTimeout(() => setOutcome('idle'), 2000);
    return () => clearTimeout(timer);
  }, [outcome]);

  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard here');
      await navigator.clipboard.writeText(value);
      setOutcome('copied');
    } catch {
      if (text.current) select(text.current);
      setOutcome('selected');
    }
  }
  return (
    // The button goes under the value where the line has no room for both (a phone).
    <Group gap="xs" align="flex-start">
      <Code ref={text} style={{ overflowWrap: 'anywhere', whiteSpace: 'normal', minWidth: 0 }}>
        {value}
      </Code>
      <Button size="compact-sm" variant="light" onClick={copy} aria-label={`Copy ${label}`}>
        {outcome === 'copied' ? 'Copied' : 'Copy'}
      </Button>
      <Text size="xs" role="status" aria-live="polite">
        {outcome === 'selected' ? 'Selected: press Ctrl+C or ⌘C to copy.' : ''}
      </Text>
    </Group>
  );
}
