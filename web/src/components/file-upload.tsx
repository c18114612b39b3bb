// A file chosen and sent to the API, a bar showing how much has left the browser, then the API's
// answer: what it accepted (the caller says how to show that) or its refusal in its own words,
// with the rows of the file it names. The session's token goes along as on every other call.
import { Alert, Button, FileInput, Group, Progress, Stack, Text } from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { problemText } from '../api/client';
import { authorization, signOut } from '../session';
import { RowErrors, rowProblems } from './row-errors';
import { sendFile } from './send-file';
import { Failed } from './states';

type Phase<T> =
  | { kind: 'idle' }
  | { kind: 'sending'; share: number }
  | { kind: 'accepted'; body: T }
  | { kind: 'refused'; problem: unknown }
  | { kind: 'failed'; message: string };

export interface FileUploadProps<T> {
  label: string;
  description: ReactNode;
  /** The file chooser's filter, e.g. `.csv,text/csv`. */
  accept: string;
  /** Sent whatever the file's own type says (a spreadsheet program's CSV often says none). */
  contentType: string;
  /** Where the file goes; undefined while there is nowhere to send it. */
  url: string | undefined;
  /** What an accepted upload's answer says, shown under the bar. */
  accepted: (body: T) => ReactNode;
  /** After an accepted upload, with the file that was sent. */
  onAccepted?: (body: T, file: File) => void;
}

export function FileUpload<T>({
  label,
  description,
  accept,
  contentType,
  url,
  accepted,
  onAccepted,
}: FileUploadProps<T>) {
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase<T>>({ kind: 'idle' });
  const sending = phase.kind === 'sending';

  async function send(event: FormEvent) {
    event.preventDefault();
    if (!file || !url) return;
    setPhase({ kind: 'sending', share: 0 });
    try {
      const header = await authorization();
      const answer = await sendFile(url, file, {
        headers: { 'content-type': contentType, ...(header ? { authorization: header } : {}) },
        onProgress: (share) => setPhase({ kind: 'sending', share }),
      });
      // As the client's middleware does: refused although sent with a token, the session is over.
      if (answer.status === 401 && header) signOut();
      if (answer.status >= 200 && answer.status < 300) {
        // The API's documented answer for this route (schema.d.ts), which the caller names as T.
        setPhase({ kind: 'accepted', body: answer.body as T });
        onAccepted?.(answer.body as T, file);
      } else {
        setPhase({ kind: 'refused', problem: answer.body ?? { title: `HTTP ${answer.status}` } });
      }
    } catch (error) {
      setPhase({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }

  const share = phase.kind === 'sending' ? phase.share : phase.kind === 'idle' ? 0 : 1;
  const rows = phase.kind === 'refused' ? rowProblems(phase.problem) : [];
  return (
    <Stack component="form" onSubmit={send} gap="sm">
      <Group align="flex-end" wrap="wrap">
        <FileInput
          label={label}
          description={description}
          placeholder="Choose a file"
          accept={accept}
          value={file}
          onChange={(f) => {
            setFile(f);
            setPhase({ kind: 'idle' });
          }}
          clearable
          clearButtonProps={{ 'aria-label': 'Clear the chosen file' }}
          style={{ flex: '1 1 16rem' }}
          // Mantine's placeholder grey is too faint for WCAG AA on white.
          styles={{ placeholder: { color: 'var(--mantine-color-gray-7)' } }}
        />
        <Button type="submit" disabled={!file || !url} loading={sending}>
          Upload
        </Button>
      </Group>
      {phase.kind !== 'idle' && (
        <Stack gap={4}>
          <Progress value={Math.round(share * 100)} aria-label="Upload progress" size="lg" />
          <Text size="sm" role="status" aria-live="polite">
            {`Sent ${Math.round(share * 100)} %`}
            {sending && share >= 1 ? ': the server is checking the file…' : ''}
          </Text>
        </Stack>
      )}
      {phase.kind === 'accepted' && accepted(phase.body)}
      {phase.kind === 'refused' && (
        <>
          <Failed error={new Error(problemText(phase.problem))} />
          {rows.length > 0 && <RowErrors rows={rows} />}
        </>
      )}
      {phase.kind === 'failed' && (
        <Alert color="red" title="Not sent" role="alert">
          {phase.message}
        </Alert>
      )}
    </Stack>
  );
}
