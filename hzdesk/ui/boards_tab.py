"""公示牌: the board ledger, which boards show people no longer in charge, and the fix."""

from __future__ import annotations


from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QPushButton, QVBoxLayout

from hzdesk import clock
from hzdesk.errors import HzdeskError
from hzdesk.fields import SIGN_BOARD
from hzdesk.services import records
from hzdesk.services.boards import board_statuses, set_printed_chiefs
from hzdesk.ui import common
from hzdesk.ui.common import AppContext, show_error
from hzdesk.ui.ledger_tab import LedgerTab, TabSpec


class BoardsTab(LedgerTab):
    # Freshness is judged against who holds which post now, and the update deadline setting.
    also_shows = frozenset({"board_chief", "appointment", "person", "water_body", "setting"})

    def __init__(self, ctx: AppContext, parent=None):
        self.statuses: dict[int, object] = {}
        self._judged = False
        spec = TabSpec(SIGN_BOARD, filters=["condition"], flags=("in_use",), flags_on=("in_use",),
                       row_colour=self._colour)
        self.stale_only = QCheckBox("只看牌面过期")
        self.stale_only.setObjectName("stale_only")
        super().__init__(ctx, spec, parent)
        self.stale_only.toggled.connect(lambda _c: self.apply_filters())
        self.action_row.insertWidget(5, self.stale_only)
        legend = QLabel("　<span style='background-color:#fdebc8'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;</span> 牌面过期　"
                        "<span style='background-color:#fbd5d5'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;</span> 过期且超过更新时限")
        legend.setObjectName("colour_legend")
        self.action_row.insertWidget(6, legend)
        side = QGroupBox("牌面内容")
        layout = QVBoxLayout(side)
        self.card = QLabel("请在左侧选择一块公示牌")
        self.card.setWordWrap(True)
        layout.addWidget(self.card)
        self.fix_button = QPushButton("已按现任河长重新制作牌面")
        self.fix_button.setObjectName("fix_board")
        self.fix_button.clicked.connect(self.mark_redone)
        layout.addWidget(self.fix_button)
        layout.addStretch(1)
        self.set_side(side, 380)

    def _colour(self, row: dict):
        st = self.statuses.get(row["id"])
        if st is None or not st.out_of_date:
            return None
        return QColor("#fbd5d5") if st.overdue else QColor("#fdebc8")

    def showEvent(self, event) -> None:
        if not self._judged:
            self.apply_filters()  # judging 600 boards waits until the clerk looks at them
        super().showEvent(event)

    def apply_filters(self) -> None:
        if self.isVisible() or (hasattr(self, "stale_only") and self.stale_only.isChecked()):
            self.statuses = {b.board_id: b for b in self.ctx.read(board_statuses, clock.today())}
            self._judged = True
        if hasattr(self, "stale_only") and self.stale_only.isChecked():
            self.extra_filters = {"id": [i for i, b in self.statuses.items() if b.out_of_date]}
        else:
            self.extra_filters = {}
        super().apply_filters()

    def refresh(self) -> None:
        keep = self.selected_id()
        self.apply_filters()  # statuses and the "stale only" list change with the data
        if keep is not None:
            self.select_id(keep)

    def on_selection(self) -> None:
        if not hasattr(self, "card"):
            return
        bid = self.selected_id()
        st = self.statuses.get(bid) if bid is not None else None
        self.fix_button.setEnabled(bool(st and st.out_of_date))
        if st is None:
            self.card.setText("请在左侧选择一块公示牌（已拆除的牌子不判断牌面）" if bid else "请在左侧选择一块公示牌")
            return
        should = "<br>".join(f"{s.level}{s.role}　{s.name}　{s.post or ''}　{s.phone or ''}" for s in st.should) or "（无在任河长）"
        state = "牌面与现任河长一致。" if not st.out_of_date else (
            f"<b style='color:#c0392b'>牌面过期</b>：自 {st.since.isoformat()} 起与现任不符，"
            f"应于 {st.due_by.isoformat()} 前更新{'，<b>已超期</b>' if st.overdue else ''}。")
        self.card.setText(f"<b>{st.code}</b>　{st.water_body}　{st.place or ''}<br><br>{state}<br><br>"
                          f"<b>牌面现印：</b>{'、'.join(st.printed) or '（未登记）'}<br><br><b>应当公示：</b><br>{should}")

    def mark_redone(self) -> None:
        bid = self.selected_id()
        st = self.statuses.get(bid) if bid is not None else None
        if st is None:
            return
        if not common.confirm(self, "更新牌面", f"确认 {st.code} 已按现任河长重新制作，牌面更新日期记为今天？"):
            return

        def write(s):
            face = [{"name": x.name, "role": x.role, "level": x.level, "post": x.post, "phone": x.phone}
                    for x in st.should]
            set_printed_chiefs(s, bid, face, on=clock.today())   # the old face is kept as history
            records.update(s, "sign_board", bid, {"content_updated_on": clock.today()})
        try:
            self.ctx.write(write)
        except HzdeskError as exc:
            show_error(self, "更新牌面", exc)
