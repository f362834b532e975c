import { invertSpd } from '../stats/regression.ts';
import { clusterWeights, type ClusterWeightKind } from '../stats/bootstrap.ts';
import { solve } from './linalg.ts';

/**
 * Wild cluster bootstrap, restricted (null imposed: WCR, Cameron–Gelbach–Miller 2008; as Stata's
 * boottest, Roodman et al. 2019). For a coefficient β_j and a null β_j = c:
 *   ũ(c) = residuals of the regression with β_j fixed at c;
 *   y*_b = X_{−j}β̃ + c·x_j + ũ(c)∘w_b, w_b one weight per cluster;
 *   t*_b = (β*_j − c) / se_CR1(β*_j);   p(c) = #{|t*_b| ≥ |t(c)|} / B   (symmetric, two-sided).
 * Nothing is refitted per replication: everything is linear in the weights (Roodman et al.'s
 * "fast and wild"). With L = the j-th row of (X'X)⁻¹X' and M = the annihilator of the fixed
 * effects and X, per clusters g, h:
 *   a_h = L_h·ũ_h,  C_gh = L_g·(M ũ^{(h)})_g  (ũ^{(h)} = ũ on cluster h, 0 elsewhere),
 *   β*_j − c = Σ_h w_h a_h,  se*² = k_CR1 · Σ_g (Σ_h w_h C_gh)²,
 * and ũ(c) = û + (β̂_j − c)·x̃ with x̃ = M_{X−j} x_j, so both are linear in c: the test is
 * inverted for the confidence interval (the set of c with p(c) > α) at O(B) per c.
 * Weights: Rademacher (±1) from 12 clusters up; Webb's six-point distribution below 12, where
 * Rademacher has too few distinct draws (2^G). Drawn from a seeded mulberry32 stream.
 */

export interface WildDesign {
  /** Regressor columns (after any absorbed fixed effects were partialled out). */
  X: readonly Float64Array[];
  y: Float64Array;
  /** Cluster index (0 … G−1) per observation. */
  cluster: Int32Array;
  G: number;
  /** M_D: removes the absorbed fixed effects from a vector in place (identity without). */
  absorb?: (v: Float64Array) => Float64Array;
  /** CR1 small-sample factor G/(G−1)·(n−1)/(n−K) (cancels in the p-value; kept for the SEs). */
  scale: number;
}

export interface WildOptions {
  reps: number;
  seed: number;
  level?: number;
}

export interface WildSingle {
  estimate: number;
  se: number;
  t: number;
  p: number;
  /** Confidence interval by inverting the bootstrap test; null when the search found no bound. */
  ci: [number, number] | null;
}

export interface WildJoint {
  wald: number;
  p: number;
}

export const wildWeightKind = (G: number): ClusterWeightKind => (G < 12 ? 'webb' : 'rademacher');

export class WildBootstrap {
  readonly n: number;
  readonly k: number;
  readonly G: number;
  readonly reps: number;
  readonly kind: ClusterWeightKind;
  private readonly inv: number[][];
  readonly beta: Float64Array;
  private readonly uhat: Float64Array;
  private readonly members: Int32Array[];
  private readonly W: Float64Array;
  private projU: Float64Array[] | null = null;

  constructor(
    private readonly d: WildDesign,
    private readonly opts: WildOptions,
  ) {
    const n = d.y.length;
    const k = d.X.length;
    this.n = n;
    this.k = k;
    this.G = d.G;
    this.reps = opts.reps;
    const xtx = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => dot(d.X[a]!, d.X[b]!)));
    this.inv = invertSpd(xtx);
    const xty = d.X.map((c) => dot(c, d.y));
    this.beta = Float64Array.from(this.inv.map((row) => row.reduce((s, v, j) => s + v * xty[j]!, 0)));
    const u = Float64Array.from(d.y);
    for (let a = 0; a < k; a++) {
      const b = this.beta[a]!;
      const col = d.X[a]!;
      for (let i = 0; i < n; i++) u[i]! -= b * col[i]!;
    }
    this.uhat = u;
    const lists: number[][] = Array.from({ length: d.G }, () => []);
    for (let i = 0; i < n; i++) lists[d.cluster[i]!]!.push(i);
    this.members = lists.map((l) => Int32Array.from(l));
    this.kind = wildWeightKind(d.G);
    this.W = clusterWeights(opts.reps, d.G, this.kind, opts.seed);
  }

  /** M v = M_X M_D v (a copy). */
  private project(v: Float64Array): Float64Array {
    const out = Float64Array.from(v);
    this.d.absorb?.(out);
    const r = this.d.X.map((c) => dot(c, out));
    for (let a = 0; a < this.k; a++) {
      let g = 0;
      const row = this.inv[a]!;
      for (let b = 0; b < this.k; b++) g += row[b]! * r[b]!;
      if (g === 0) continue;
      const col = this.d.X[a]!;
      for (let i = 0; i < this.n; i++) out[i]! -= g * col[i]!;
    }
    return out;
  }

  /** M applied to v restricted to each cluster in turn. */
  private projectPerCluster(v: Float64Array): Float64Array[] {
    return this.members.map((idx) => {
      const part = new Float64Array(this.n);
      for (const i of idx) part[i] = v[i]!;
      return this.project(part);
    });
  }

  /** Rows Q of (X'X)⁻¹X' (q × n). */
  private lRows(Q: readonly number[]): Float64Array[] {
    return Q.map((j) => {
      const row = this.inv[j]!;
      const L = new Float64Array(this.n);
      for (let a = 0; a < this.k; a++) {
        const w = row[a]!;
        if (w === 0) continue;
        const col = this.d.X[a]!;
        for (let i = 0; i < this.n; i++) L[i]! += w * col[i]!;
      }
      return L;
    });
  }

  private clusterDot(L: Float64Array, v: Float64Array, g: number): number {
    let s = 0;
    for (const i of this.members[g]!) s += L[i]! * v[i]!;
    return s;
  }

  /** CR1 standard error of coefficient j from the data. */
  crSe(j: number): number {
    const [L] = this.lRows([j]);
    let s = 0;
    for (let g = 0; g < this.G; g++) s += this.clusterDot(L!, this.uhat, g) ** 2;
    return Math.sqrt(this.d.scale * s);
  }

  /** Bootstrap p-value of β_j = 0 and the confidence interval by test inversion. */
  single(j: number): WildSingle {
    const { G, reps: B } = this;
    const level = this.opts.level ?? 0.95;
    const alpha = 1 - level;
    const [L] = this.lRows([j]);
    const S = 1 / this.inv[j]![j]!;
    const xt = Float64Array.from(L!, (v) => v * S);
    this.projU ??= this.projectPerCluster(this.uhat);
    const projX = this.projectPerCluster(xt);
    const a0 = new Float64Array(G);
    const a1 = new Float64Array(G);
    const C0 = new Float64Array(G * G);
    const C1 = new Float64Array(G * G);
    for (let h = 0; h < G; h++) {
      a0[h] = this.clusterDot(L!, this.uhat, h);
      a1[h] = this.clusterDot(L!, xt, h);
      for (let g = 0; g < G; g++) {
        C0[g * G + h] = this.clusterDot(L!, this.projU[h]!, g);
        C1[g * G + h] = this.clusterDot(L!, projX[h]!, g);
      }
    }
    // Per replication: numerator A0 + δ·A1 and Σ_g s_g² = Q0 + 2δQ1 + δ²Q2 with δ = β̂ − c.
    const A0 = new Float64Array(B);
    const A1 = new Float64Array(B);
    const Q0 = new Float64Array(B);
    const Q1 = new Float64Array(B);
    const Q2 = new Float64Array(B);
    const s0 = new Float64Array(G);
    const s1 = new Float64Array(G);
    for (let b = 0; b < B; b++) {
      const w = this.W.subarray(b * G, b * G + G);
      let n0 = 0;
      let n1 = 0;
      for (let h = 0; h < G; h++) {
        n0 += w[h]! * a0[h]!;
        n1 += w[h]! * a1[h]!;
      }
      s0.fill(0);
      s1.fill(0);
      for (let g = 0; g < G; g++) {
        let x0 = 0;
        let x1 = 0;
        const off = g * G;
        for (let h = 0; h < G; h++) {
          x0 += w[h]! * C0[off + h]!;
          x1 += w[h]! * C1[off + h]!;
        }
        s0[g] = x0;
        s1[g] = x1;
      }
      let q0 = 0;
      let q1 = 0;
      let q2 = 0;
      for (let g = 0; g < G; g++) {
        q0 += s0[g]! * s0[g]!;
        q1 += s0[g]! * s1[g]!;
        q2 += s1[g]! * s1[g]!;
      }
      A0[b] = n0;
      A1[b] = n1;
      Q0[b] = q0;
      Q1[b] = q1;
      Q2[b] = q2;
    }
    let ss = 0;
    for (let g = 0; g < G; g++) ss += a0[g]! * a0[g]!;
    const se = Math.sqrt(this.d.scale * ss);
    const beta = this.beta[j]!;
    // The scale factor multiplies t and every t* alike, so it is left out of the comparison.
    const pAt = (delta: number): number => {
      const t = Math.abs(delta) / Math.sqrt(ss);
      let count = 0;
      for (let b = 0; b < B; b++) {
        const v = Q0[b]! + 2 * delta * Q1[b]! + delta * delta * Q2[b]!;
        const ts = v > 0 ? Math.abs(A0[b]! + delta * A1[b]!) / Math.sqrt(v) : Math.abs(A0[b]! + delta * A1[b]!) > 0 ? Infinity : 0;
        // Relative slack: t* equal to t up to rounding (the replication that reproduces the data) counts as ≥.
        if (ts >= t * (1 - 1e-12)) count++;
      }
      return count / B;
    };
    const p = pAt(beta);
    const bound = (sign: 1 | -1): number | null => {
      // δ = β̂ − c: c below β̂ is δ > 0.
      let lo = 0;
      let hi = Math.max(se, 1e-12 * Math.max(1, Math.abs(beta)));
      let steps = 0;
      while (pAt(sign * hi) > alpha) {
        lo = hi;
        hi *= 2;
        if (++steps > 200) return null;
      }
      for (let i = 0; i < 100 && hi - lo > 1e-12 * Math.max(hi, 1e-300); i++) {
        const mid = (lo + hi) / 2;
        if (pAt(sign * mid) > alpha) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const dLow = bound(1);
    const dHigh = bound(-1);
    return { estimate: beta, se, t: beta / se, p, ci: dLow === null || dHigh === null ? null : [beta - dLow, beta + dHigh] };
  }

  /**
   * Bootstrap p-value of the joint null β_Q = 0 by the Wald statistic W = β̂_Q′V̂⁻¹β̂_Q (V̂ CR1),
   * restricted residuals from the regression without the columns Q. Null when V is singular
   * (q ≥ G: a cluster-robust covariance has rank at most G − 1).
   */
  joint(Q: readonly number[]): WildJoint | null {
    const { G, reps: B, n } = this;
    const q = Q.length;
    if (q === 0 || q >= G) return null;
    const keep = Array.from({ length: this.k }, (_, a) => a).filter((a) => !Q.includes(a));
    // Restricted fit: y on the other columns.
    const ur = Float64Array.from(this.d.y);
    if (keep.length) {
      const Xr = keep.map((a) => this.d.X[a]!);
      const inv = invertSpd(Xr.map((c) => Xr.map((e) => dot(c, e))));
      const r = Xr.map((c) => dot(c, this.d.y));
      for (let a = 0; a < keep.length; a++) {
        const g = inv[a]!.reduce((s, v, b) => s + v * r[b]!, 0);
        const col = Xr[a]!;
        for (let i = 0; i < n; i++) ur[i]! -= g * col[i]!;
      }
    }
    const L = this.lRows(Q);
    const proj = this.projectPerCluster(ur);
    const a = new Float64Array(G * q);
    const C = new Float64Array(G * G * q);
    const sc = new Float64Array(G * q);
    for (let h = 0; h < G; h++)
      for (let m = 0; m < q; m++) {
        a[h * q + m] = this.clusterDot(L[m]!, ur, h);
        sc[h * q + m] = this.clusterDot(L[m]!, this.uhat, h);
        for (let g = 0; g < G; g++) C[(g * G + h) * q + m] = this.clusterDot(L[m]!, proj[h]!, g);
      }
    const waldOf = (bvec: Float64Array, scores: (g: number, m: number) => number): number | null => {
      const V = Array.from({ length: q }, () => new Array<number>(q).fill(0));
      for (let g = 0; g < G; g++)
        for (let m = 0; m < q; m++) {
          const sm = scores(g, m);
          if (sm === 0) continue;
          for (let l = 0; l < q; l++) V[m]![l]! += sm * scores(g, l);
        }
      const x = solve(V, Array.from(bvec));
      if (!x) return null;
      return x.reduce((s, v, m) => s + v * bvec[m]!, 0) / this.d.scale;
    };
    const bhat = Float64Array.from(Q.map((j) => this.beta[j]!));
    const wald = waldOf(bhat, (g, m) => sc[g * q + m]!);
    if (wald === null) return null;
    let count = 0;
    const bstar = new Float64Array(q);
    const s = new Float64Array(G * q);
    for (let b = 0; b < B; b++) {
      const w = this.W.subarray(b * G, b * G + G);
      bstar.fill(0);
      s.fill(0);
      for (let h = 0; h < G; h++) {
        const wh = w[h]!;
        for (let m = 0; m < q; m++) bstar[m]! += wh * a[h * q + m]!;
        for (let g = 0; g < G; g++) {
          const off = (g * G + h) * q;
          for (let m = 0; m < q; m++) s[g * q + m]! += wh * C[off + m]!;
        }
      }
      const ws = waldOf(bstar, (g, m) => s[g * q + m]!);
      if (ws === null || ws >= wald * (1 - 1e-12)) count++;
    }
    return { wald, p: count / B };
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
