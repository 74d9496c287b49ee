import type { LucideIcon } from 'lucide-react'

/** A button that shows only an icon: `label` is what screen readers say, `title` the tooltip. */
export function IconButton({
  icon: Icon,
  size,
  label,
  title,
  disabled,
  onClick,
}: {
  icon: LucideIcon
  size: number
  label: string
  title?: string
  disabled?: boolean
  onClick: () => void
}) {
  return (
    <button
      type="button"
      className="st-icon-button"
      disabled={disabled}
      onClick={onClick}
      aria-label={label}
      title={title}
    >
      <Icon size={size} aria-hidden />
    </button>
  )
}
