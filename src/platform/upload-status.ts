// The statuses of an upload in Ocean's uploader, shared by the storage provider, which sets them,
// and the uploader, which keeps and passes on the provider's final one. One place, so the two never
// read a range differently.

/**
 * The status ranges of the Ocean uploader: 1 waiting for files, 100–199 paying, 200–299 payment
 * failed, 300–399 uploading, 400 done, 401–499 upload failed.
 */
export const STATUS = {
  unknown: 0,
  quoted: 1,
  checkingPayment: 100,
  paying: 150,
  allowanceTooLow: 200,
  balanceTooLow: 201,
  paymentFailed: 202,
  chainUnavailable: 203,
  receiving: 300,
  storing: 350,
  done: 400,
  sizeMismatch: 401,
  badParts: 402,
  storageFailed: 403,
  interrupted: 499,
} as const;

/** 200–299: the upload's payment was not made, and nothing was stored. */
export const isPaymentFailure = (status: number): boolean => status >= 200 && status < 300;

/** Whether `status` ends an upload: done (400), its payment failed (200–299) or it failed (401–499). */
export const isFinal = (status: number): boolean => isPaymentFailure(status) || (status >= 400 && status < 500);

/**
 * A payment failure the payer can mend (allowance, balance, a reverted transfer), as opposed to a
 * chain the provider could not reach.
 */
export const isPayersFault = (status: number): boolean =>
  isPaymentFailure(status) && status !== STATUS.chainUnavailable;
