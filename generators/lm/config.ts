/**
 * Shape of goe's class-conditional language model: the PyTorch `word_language_model` example's
 * Transformer (2 layers, d = 200, 2 heads, feed-forward 200, dropout 0.2, post-norm, sinusoidal
 * positions, untied decoder), conditioned on a class by a leading class token.
 */
export interface LmConfig {
  vocabSize: number;
  dModel: number;
  heads: number;
  ff: number;
  layers: number;
  dropout: number;
  /** Tokens a sample has (the context is the class token + length − 1 tokens). */
  length: number;
  /** Token id of class k's leading token. */
  classTokens: number[];
  /** Leading vocabulary ids that are never sampled (`<unk>` is sampled: Brown text has it; class tokens are not). */
  specials: number;
}

export const defaultLmShape = { dModel: 200, heads: 2, ff: 200, layers: 2, dropout: 0.2 } as const;
