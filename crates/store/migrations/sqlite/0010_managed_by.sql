-- Which standing committee manages a post (cán bộ thuộc diện Ban Thường vụ … quản lý):
-- the organization whose standing committee it is. A target may count only the posts
-- managed by one such committee, as Resolution 116-NQ/TU counts the appointments and
-- rotations of the cadres managed by the provincial standing committee.

ALTER TABLE position ADD COLUMN managed_by INTEGER REFERENCES org(id);
ALTER TABLE document_target ADD COLUMN managed_by INTEGER REFERENCES org(id);
CREATE INDEX position_managed ON position (managed_by, valid_from);
