// A text input tied to one text field of a form's state, as `{...text('email')}`: the field's value,
// and a change that sets it from what was typed.

/** The fields of F that take any text (not a number, nor a choice among a few strings). */
type TextKey<F> = { [K in keyof F]-?: string extends F[K] ? K : never }[keyof F];

export function textBinding<F>(fields: F, set: (change: Partial<F>) => void) {
  return (name: TextKey<F>) => ({
    value: fields[name] as string,
    onChange: (e: { currentTarget: { value: string } }) => set({ [name]: e.currentTarget.value } as Partial<F>),
  });
}
