// The parts of @zxcvbn-ts/core that dictionary-matchers.ts builds on. The package ships
// .d.ts files for them, but TypeScript looks for .d.mts beside an .mjs, so they are
// declared here in the package's own public types.
// The feedback and scoring functions of the dictionary and wordSequence matchers.
declare module '@zxcvbn-ts/core/dist/matcher/*/feedback.mjs' {
  import type { Matcher } from '@zxcvbn-ts/core';
  const feedback: Matcher['feedback'];
  export default feedback;
}

declare module '@zxcvbn-ts/core/dist/matcher/*/scoring.mjs' {
  import type { Matcher } from '@zxcvbn-ts/core';
  const scoring: Matcher['scoring'];
  export default scoring;
}

declare module '@zxcvbn-ts/core/dist/matcher/wordSequence/matching.mjs' {
  import { MatcherBaseClass, type MatchOptions, type Options, type WordSequenceMatch } from '@zxcvbn-ts/core';
  /** Word sequences ("unoDosTres") found over dictionary, l33t and reversed matches of the word-sequence lists. */
  export default class MatchWordSequence extends MatcherBaseClass {
    dictionary: MatcherBaseClass;
    dictionaryL33t: MatcherBaseClass;
    dictionaryReverse: MatcherBaseClass;
    constructor(options: Options);
    match(matchOptions: MatchOptions): WordSequenceMatch[];
  }
}

declare module '@zxcvbn-ts/core/dist/matcher/dictionary/variants/matching/unmunger/getCleanPasswords.mjs' {
  export interface PasswordWithSubs {
    password: string;
    changes: { i: number; letter: string; substitution: string }[];
    isFullSubstitution: boolean;
  }
  /** The l33t readings of a password, at most `limit` of them. */
  export default function getCleanPasswords(password: string, limit: number, trieRoot: unknown): PasswordWithSubs[];
}
