/** What a hostile probe target or command prints: sets the title, clears the screen, fakes a status line in red. */
export const ATTACK = '\u001b]0;PWNED\u0007\u001b[2J\u001b[31mfake: all healthy';

/** The same, as mend shows it. */
export const ATTACK_SHOWN = '\\e]0;PWNED\\a\\e[2J\\e[31mfake: all healthy';

/** Any character a terminal would act on rather than show (newline and tab aside). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/;
