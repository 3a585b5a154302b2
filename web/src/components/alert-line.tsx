/** A failed action's message, announced to screen readers; nothing when there is none. */
export function AlertLine(props: { msg: string | undefined }) {
  return props.msg ? (
    <p class="error" role="alert">
      {props.msg}
    </p>
  ) : null;
}
