// A form of one text field and its button (a name for a new thing, whom to invite, an id to add):
// Enter or the button sends it; a problem with what was typed shows under the field and names it;
// the API's answer, which the caller draws, follows.
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useId } from '@mantine/hooks';
import type { FormEvent, ReactNode } from 'react';

interface Props {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The button's words. */
  action: string;
  /** Sends what was typed; called only when something is. */
  onSubmit: (value: string) => void;
  pending: boolean;
  /** What is wrong with what was typed, before anything is sent. */
  problem?: string | undefined;
  maxLength?: number;
  /** Above the field: what the form does. */
  intro?: ReactNode;
  /** Below: the answer (the refusal, what was done). */
  children?: ReactNode;
}

export function OneFieldForm(props: Props) {
  const { label, value, onChange, action, onSubmit, pending, problem, intro, children } = props;
  const problemId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim() && !pending) onSubmit(value.trim());
  };
  return (
    <Stack component="form" onSubmit={submit} gap="sm">
      {intro}
      {/* A line of a field and its button, no wider than a reading width on a desktop. */}
      <Group align="flex-end" wrap="wrap" maw={640}>
        <TextInput
          label={label}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          maxLength={props.maxLength}
          error={problem !== undefined}
          aria-describedby={problem === undefined ? undefined : problemId}
          style={{ flex: '1 1 14rem' }}
        />
        <Button type="submit" disabled={!value.trim()} loading={pending}>
          {action}
        </Button>
      </Group>
      {problem !== undefined && (
        <Text id={problemId} size="sm" c="red.8" role="alert">
          {problem}
        </Text>
      )}
      {children}
    </Stack>
  );
}
