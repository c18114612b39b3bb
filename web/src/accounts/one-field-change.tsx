// A change made from one typed field (a new account's name, whom to invite, ids to whitelist): what
// was typed is read first, and a problem with it is named before anything is sent; then it goes to
// the API with an Idempotency-Key, the field empties on success and the answer shows below it.
// Typing again clears the last answer.
import { useMutation } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { dataOf } from '../api/client';
import { type KeyHeader, useIdempotent } from '../api/idempotency';
import type { Answer } from '../components/confirm-modal';
import { OneFieldForm } from '../components/one-field-form';
import { Failed } from '../components/states';
import type { Parsed } from './shape';

interface Props<V, T> {
  label: string;
  /** The button's words. */
  action: string;
  /** Above the field: what the form does. */
  intro?: ReactNode;
  maxLength?: number;
  /** What the typed text (trimmed) asks for, or what is wrong with it. */
  read: (typed: string) => Parsed<V>;
  /** Sends what was read with its Idempotency-Key header. */
  send: (value: V, header: KeyHeader) => Promise<Answer<T>>;
  /** After a success; a promise it returns is waited for (a refetch) before the form is done. */
  onSent?: (result: T, value: V) => unknown;
  /** What the API answered was done, shown under the field. */
  done: (result: T, value: V) => ReactNode;
}

export function OneFieldChange<V, T>({ label, action, intro, maxLength, read, send, onSent, done }: Props<V, T>) {
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string>();
  const idempotent = useIdempotent();
  const change = useMutation({
    mutationFn: async (value: V) => dataOf(await idempotent(value, (header) => send(value, header))),
    onSuccess: (result, value) => {
      setTyped('');
      return onSent?.(result, value);
    },
  });
  return (
    <OneFieldForm
      intro={intro}
      label={label}
      value={typed}
      onChange={(value) => {
        setTyped(value);
        setProblem(undefined);
        change.reset();
      }}
      action={action}
      onSubmit={(value) => {
        const parsed = read(value);
        setProblem(parsed.ok ? undefined : parsed.problem);
        if (parsed.ok) change.mutate(parsed.value);
      }}
      pending={change.isPending}
      problem={problem}
      maxLength={maxLength}
    >
      {change.isError && <Failed error={change.error} />}
      {change.isSuccess && done(change.data, change.variables)}
    </OneFieldForm>
  );
}
