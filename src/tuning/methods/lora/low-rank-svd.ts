// The singular value decomposition of a product M = L·R with few inner columns (a sum of LoRA
// updates: L [m, k], R [k, n], k = the sum of the ranks), without forming M: QR both factors
// (L = Q_L·T_L, Rᵀ = Q_R·T_R), decompose the small k×k core T_L·T_Rᵀ, and lift its singular
// vectors back through Q_L and Q_R. The cost is O((m + n)·k²) instead of the O(m·n·min(m, n)) of a
// dense SVD, and tfjs has no SVD at all. Plain float64 JavaScript: the factors are small and the
// result feeds a file, not a training step.

/** A dense row-major matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  const out = new Float64Array(rows * cols);
  if (data) {
    if (data.length !== rows * cols) throw new RangeError(`matrix ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
    out.set(data);
  }
  return { rows, cols, data: out };
}

export function transpose(a: Matrix): Matrix {
  const out = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return out;
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`cannot multiply ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`);
  const out = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const x = a.data[i * a.cols + p]!;
      if (x === 0) continue;
      const rowB = p * b.cols;
      const rowOut = i * b.cols;
      for (let j = 0; j < b.cols; j++) out.data[rowOut + j]! += x * b.data[rowB + j]!;
    }
  }
  return out;
}

/**
 * Thin QR by Householder reflections: a [m, k] (m ≥ k) = q [m, k] · r [k, k], q with orthonormal
 * columns. Stable for rank-deficient input (a zero column gives a zero row of r), which untrained
 * LoRA factors (B = 0) are.
 */
export function thinQr(a: Matrix): { q: Matrix; r: Matrix } {
  const { rows: m, cols: k } = a;
  if (m < k) throw new RangeError(`thin QR needs at least as many rows as columns, got ${m}×${k}`);
  const work = matrix(m, k, a.data);
  const reflectors: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m - j);
    let norm = 0;
    for (let i = j; i < m; i++) {
      v[i - j] = work.data[i * k + j]!;
      norm += v[i - j]! ** 2;
    }
    norm = Math.sqrt(norm);
    const alpha = v[0]! > 0 ? -norm : norm;
    v[0]! -= alpha;
    let vNorm = 0;
    for (const x of v) vNorm += x * x;
    if (vNorm > 0) {
      // Apply H = I - 2vvᵀ/(vᵀv) to the remaining columns.
      for (let c = j; c < k; c++) {
        let dot = 0;
        for (let i = j; i < m; i++) dot += v[i - j]! * work.data[i * k + c]!;
        const f = (2 * dot) / vNorm;
        for (let i = j; i < m; i++) work.data[i * k + c]! -= f * v[i - j]!;
      }
    }
    reflectors.push(vNorm > 0 ? v.map((x) => x / Math.sqrt(vNorm)) : v);
  }
  const r = matrix(k, k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) r.data[i * k + j] = work.data[i * k + j]!;
  // q = H_0 · H_1 ⋯ H_{k-1} applied to the first k columns of the identity.
  const q = matrix(m, k);
  for (let j = 0; j < k; j++) q.data[j * k + j] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = reflectors[j]!;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += v[i - j]! * q.data[i * k + c]!;
      for (let i = j; i < m; i++) q.data[i * k + c]! -= 2 * dot * v[i - j]!;
    }
  }
  return { q, r };
}

/**
 * SVD of a small square matrix by one-sided Jacobi rotations (accurate to working precision):
 * a = u · diag(s) · vᵀ with s descending. Columns of u for zero singular values are zero.
 */
export function smallSvd(a: Matrix): { u: Matrix; s: Float64Array; v: Matrix } {
  const n = a.cols;
  if (a.rows !== n) throw new RangeError(`smallSvd takes a square matrix, got ${a.rows}×${a.cols}`);
  const w = matrix(n, n, a.data);
  const v = matrix(n, n);
  for (let i = 0; i < n; i++) v.data[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < n; i++) {
          const x = w.data[i * n + p]!;
          const y = w.data[i * n + q]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (const m of [w, v]) {
          for (let i = 0; i < n; i++) {
            const x = m.data[i * n + p]!;
            const y = m.data[i * n + q]!;
            m.data[i * n + p] = c * x - s * y;
            m.data[i * n + q] = s * x + c * y;
          }
        }
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += w.data[i * n + j]! ** 2;
    return Math.sqrt(sum);
  });
  const order = norms.map((_, j) => j).sort((x, y) => norms[y]! - norms[x]!);
  const u = matrix(n, n);
  const vSorted = matrix(n, n);
  const s = new Float64Array(n);
  order.forEach((j, rank) => {
    s[rank] = norms[j]!;
    for (let i = 0; i < n; i++) {
      u.data[i * n + rank] = norms[j]! > 0 ? w.data[i * n + j]! / norms[j]! : 0;
      vSorted.data[i * n + rank] = v.data[i * n + j]!;
    }
  });
  return { u, s, v: vSorted };
}

/**
 * The best rank-`rank` factorisation of L·R (Eckart–Young): L·R ≈ u·diag(s)·vᵀ with u [m, rank],
 * v [n, rank] orthonormal columns and s descending, as torch.linalg.svd truncated. Ranks above the
 * product's own get zero columns and zero singular values.
 */
export function truncatedSvdOfProduct(left: Matrix, right: Matrix, rank: number): { u: Matrix; s: Float64Array; v: Matrix } {
  if (left.cols !== right.rows) throw new RangeError(`cannot multiply ${left.rows}×${left.cols} by ${right.rows}×${right.cols}`);
  const k = left.cols;
  if (left.rows < k || right.cols < k) throw new RangeError(`the factors are wider (${k}) than the product (${left.rows}×${right.cols}); lower the ranks`);
  const ql = thinQr(left);
  const qr = thinQr(transpose(right));
  const core = smallSvd(multiply(ql.r, transpose(qr.r)));
  const uAll = multiply(ql.q, core.u); // [m, k]
  const vAll = multiply(qr.q, core.v); // [n, k]
  const kept = Math.min(rank, k);
  const u = matrix(left.rows, rank);
  const v = matrix(right.cols, rank);
  for (let j = 0; j < kept; j++) {
    for (let i = 0; i < left.rows; i++) u.data[i * rank + j] = uAll.data[i * k + j]!;
    for (let i = 0; i < right.cols; i++) v.data[i * rank + j] = vAll.data[i * k + j]!;
  }
  const s = new Float64Array(rank);
  s.set(core.s.subarray(0, kept));
  return { u, s, v };
}
